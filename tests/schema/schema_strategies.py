"""Hypothesis strategies for org slugs and org settings, shared by the unit and the live tests."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from schema.currencies import ISO_4217

SLUG_CHARS = string.ascii_lowercase + string.digits


@st.composite
def valid_slugs(draw: st.DrawFn, min_size: int = 3, max_size: int = 63) -> str:
    """Lowercase letters and digits of a length in [min, max], some inner ones turned into hyphens
    (never two in a row)."""
    size = draw(st.integers(min_size, max_size))
    chars = list(draw(st.text(alphabet=SLUG_CHARS, min_size=size, max_size=size)))
    for i in sorted(draw(st.sets(st.integers(1, size - 2), max_size=size // 3))):
        if chars[i - 1] != "-":
            chars[i] = "-"
    return "".join(chars)


def _mutations(slug: str) -> st.SearchStrategy[str]:
    i = len(slug) // 2
    return st.sampled_from(
        [
            slug.upper(),
            slug[:i] + slug[i].upper() + slug[i + 1 :],
            "-" + slug,
            slug + "-",
            slug[:i] + "--" + slug[i:],
            slug + "\n",
            slug[:i] + "_" + slug[i:],
            slug[:i] + " " + slug[i:],
            slug[:i] + "é" + slug[i:],
            slug[:i] + "\u0131" + slug[i:],  # dotless i: upper-cases to I, never a-z
        ]
    )


def slug_candidates() -> st.SearchStrategy[str]:
    """Strings around the rule's edges: lengths 2/3/63/64, hyphens, uppercase, digits, unicode.

    No NUL: PostgreSQL text cannot hold it, so the database never gets to judge it.
    """
    edge_lengths = st.sampled_from([0, 1, 2, 3, 4, 62, 63, 64, 65])
    return st.one_of(
        valid_slugs(),
        edge_lengths.flatmap(lambda n: st.text(alphabet=SLUG_CHARS + "-", min_size=n, max_size=n)),
        edge_lengths.flatmap(lambda n: st.text(alphabet=SLUG_CHARS + "-A_", min_size=n, max_size=n)),
        valid_slugs().flatmap(_mutations),
        st.sampled_from([2, 64]).flatmap(lambda n: valid_slugs(min_size=max(n, 3), max_size=n + 1)),
        # No NUL (PostgreSQL text cannot hold it) and no lone surrogates (not encodable as UTF-8).
        st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=70),
    )


FLAG_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
LOCALES = st.from_regex(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?", fullmatch=True)


@st.composite
def valid_settings(draw: st.DrawFn) -> dict[str, Any]:
    """Any subset of the OrgSettings keys, each with a valid value."""
    values: dict[str, st.SearchStrategy[Any]] = {
        "locale": LOCALES,
        "timezone": st.timezone_keys(allow_prefix=False),
        "currency": st.sampled_from(sorted(ISO_4217)),
        "feature_flags": st.dictionaries(FLAG_NAMES, st.booleans(), max_size=5),
    }
    keys = draw(st.lists(st.sampled_from(sorted(values)), unique=True))
    return {key: draw(values[key]) for key in keys}
