"""The org slug rule, once for Python and once for SQL, both rendered from the same pattern.

The two copies must accept exactly the same strings (a hypothesis property checks it against the
database): `is_valid_slug` guards writes through the ORM, `ck_org_slug_format` guards everything else.
"""

from __future__ import annotations

import re
from typing import TypeGuard

SLUG_MIN, SLUG_MAX = 3, 63
# Groups of lowercase ASCII letters and digits joined by single hyphens. No anchors here: Python
# uses fullmatch, SQL adds ^...$ (PostgreSQL's $ is end of string; Python's would allow a final \n).
SLUG_PATTERN = "[a-z0-9]+(-[a-z0-9]+)*"
SLUG_CHECK_SQL = f"slug ~ '^{SLUG_PATTERN}$' AND char_length(slug) BETWEEN {SLUG_MIN} AND {SLUG_MAX}"
_SLUG = re.compile(SLUG_PATTERN)


class InvalidSlug(ValueError):
    """A slug that breaks the rule; the message names it."""

    def __init__(self, slug: object) -> None:
        self.slug = slug
        super().__init__(
            f"org slug {slug!r} is invalid: use {SLUG_MIN}-{SLUG_MAX} lowercase letters (a-z), digits and "
            "single hyphens, not at the start or end (e.g. 'acme-gmbh')"
        )


def is_valid_slug(value: object) -> TypeGuard[str]:
    """True when `value` is a str that `ck_org_slug_format` accepts."""
    return (
        isinstance(value, str) and SLUG_MIN <= len(value) <= SLUG_MAX and _SLUG.fullmatch(value) is not None
    )


def check_slug(value: object) -> str:
    """`value` itself when valid; InvalidSlug naming it otherwise."""
    if not is_valid_slug(value):
        raise InvalidSlug(value)
    return value


class SlugTaken(ValueError):
    """Another org already has this slug (unique constraint uq_org_slug); the message names it."""

    def __init__(self, slug: str | None) -> None:
        self.slug = slug
        shown = repr(slug) if slug is not None else "(not reported)"
        super().__init__(f"org slug {shown} is already taken (unique constraint uq_org_slug)")
