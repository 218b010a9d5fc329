"""The org slug rule, in Python and in SQL; the two must accept exactly the same strings."""

from __future__ import annotations

import re

SLUG_MIN, SLUG_MAX = 3, 63
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The database's copy of the rule (check constraint ck_org_slug_format).
SLUG_CHECK_SQL = f"slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) BETWEEN {SLUG_MIN} AND {SLUG_MAX}"


class InvalidSlug(ValueError):
    """A slug that breaks the rule; the message names it."""


def is_valid_slug(value: str) -> bool:
    """Lowercase ASCII letters and digits in groups joined by single hyphens, 3 to 63 characters."""
    return SLUG_MIN <= len(value) <= SLUG_MAX and _SLUG.fullmatch(value) is not None


def check_slug(value: str) -> str:
    if not is_valid_slug(value):
        raise InvalidSlug(
            f"org slug {value!r} is invalid: use {SLUG_MIN}-{SLUG_MAX} lowercase letters, digits and single "
            "hyphens, not at the start or end"
        )
    return value
