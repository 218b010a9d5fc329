"""Env files, throwaway values and secret masking: pure functions."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.compose.envfile import parse_env_text, referenced_variables
from infra.errors import HarnessError
from infra.masking import MASK, is_secret_name, mask, masked_env, secret_values
from infra.stack.isolation import complete_env


def test_parse_env_text_handles_comments_quotes_and_export():
    text = "# comment\nA=1\nexport B='two words'\nC=\"x\"\nD=plain # trailing comment\nE=\n"
    assert parse_env_text(text) == {"A": "1", "B": "two words", "C": "x", "D": "plain", "E": ""}


def test_bad_line_names_file_and_line():
    with pytest.raises(HarnessError, match=r"^\.env:2: not a KEY=VALUE line"):
        parse_env_text("A=1\nthis is not an assignment\n", ".env")


def test_secret_names():
    assert all(
        map(is_secret_name, ["POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "API_TOKEN", "AWS_SECRET", "S3_KEY"])
    )
    assert not any(map(is_secret_name, ["POSTGRES_USER", "POSTGRES_PORT", "KEYBOARD", "MONKEY_BUSINESS"]))


def test_complete_env_fills_blank_secrets_and_fresh_ports():
    needed = referenced_variables("${A_PASSWORD:?x} ${A_PORT:?x} ${A_USER:?x}")
    values = complete_env({"A_USER": "u", "A_PORT": "5432"}, needed, fresh_ports=True)
    assert values["A_USER"] == "u"
    assert len(values["A_PASSWORD"]) >= 24
    assert values["A_PORT"] != "5432"
    assert values["A_PORT"].isdigit()


def test_complete_env_keeps_given_secrets_and_ports_when_asked():
    needed = referenced_variables("${A_PASSWORD:?x} ${A_PORT:?x}")
    assert complete_env({"A_PASSWORD": "given", "A_PORT": "1"}, needed, fresh_ports=False) == {
        "A_PASSWORD": "given",
        "A_PORT": "1",
    }


def test_masking_covers_every_secret_value():
    env = {"POSTGRES_PASSWORD": "hunter22", "REDIS_PASSWORD": "hunter22-long", "POSTGRES_USER": "me"}
    text = "dsn postgres://me:hunter22@x redis hunter22-long"
    assert mask(text, secret_values(env)) == f"dsn postgres://me:{MASK}@x redis {MASK}"
    assert masked_env(env) == {"POSTGRES_PASSWORD": MASK, "REDIS_PASSWORD": MASK, "POSTGRES_USER": "me"}


_NO_STARS = st.characters(blacklist_categories=["Cs"], blacklist_characters="*")


def _glued(text: str, start: int, secret: str) -> bool:
    """Whether the occurrence of `secret` at `start` is part of a longer name (not a whole value)."""
    name = re.compile(r"[A-Za-z0-9_.-]")
    left = start > 0 and name.match(secret[0]) and name.match(text[start - 1])
    end = start + len(secret)
    right = end < len(text) and name.match(secret[-1]) and name.match(text[end])
    return bool(left or right)


@given(st.text(min_size=4, alphabet=_NO_STARS), st.text(alphabet=_NO_STARS), st.text(alphabet=_NO_STARS))
def test_masked_text_never_contains_the_secret_as_a_whole_value(secret, before, after):
    """Whole values are masked wherever they stand; only a secret glued inside a longer name (issue 18:
    "myproj" in "myproj-db") is left, so no whole-value occurrence ever survives."""
    shown = mask(f"{before} {secret} {after}", [secret])
    starts = [m.start() for m in re.finditer(f"(?={re.escape(secret)})", shown)]
    assert all(_glued(shown, i, secret) for i in starts), shown
