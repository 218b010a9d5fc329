"""The slug rule in Python: examples at each edge, and agreement with an independent reading of it."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from schema_strategies import slug_candidates, valid_slugs

from schema.slug import SLUG_CHECK_SQL, InvalidSlug, check_slug, is_valid_slug

pytestmark = pytest.mark.schema


def spec(value: str) -> bool:
    """The issue's wording, read literally: lowercase letters, digits, single hyphens, 3-63
    characters, no leading or trailing hyphen."""
    allowed = set(string.ascii_lowercase + string.digits + "-")
    return (
        3 <= len(value) <= 63
        and set(value) <= allowed
        and not value.startswith("-")
        and not value.endswith("-")
        and "--" not in value
    )


@pytest.mark.parametrize(
    "value",
    ["abc", "acme", "acme-gmbh", "a-b", "123", "a1-b2-c3", "x" * 63, "0-0", "a-" * 30 + "abc"[: 63 - 60]],
)
def test_accepts(value):
    assert is_valid_slug(value)
    assert check_slug(value) == value


@pytest.mark.parametrize(
    "value",
    ["", "ab", "x" * 64, "Acme", "ACME", "-acme", "acme-", "ac--me", "ac_me", "ac me", "acmé", "acme\n"],
)
def test_rejects(value):
    assert not is_valid_slug(value)


@pytest.mark.parametrize("value", [None, 123, b"acme", ["acme"]])
def test_rejects_non_strings(value):
    assert not is_valid_slug(value)
    with pytest.raises(InvalidSlug):
        check_slug(value)


def test_error_names_the_slug_and_the_rule():
    with pytest.raises(InvalidSlug, match=r"org slug 'Acme GmbH' is invalid: use 3-63 lowercase") as caught:
        check_slug("Acme GmbH")
    assert caught.value.slug == "Acme GmbH"


def test_sql_rule_anchors_the_same_pattern():
    assert "'^[a-z0-9]+(-[a-z0-9]+)*$'" in SLUG_CHECK_SQL
    assert "BETWEEN 3 AND 63" in SLUG_CHECK_SQL


@settings(max_examples=200)
@given(valid_slugs())
def test_generated_valid_slugs_are_valid(value):
    assert is_valid_slug(value)
    assert spec(value)


@settings(max_examples=500)
@given(slug_candidates())
def test_python_rule_matches_the_spec(value):
    assert is_valid_slug(value) == spec(value), value
