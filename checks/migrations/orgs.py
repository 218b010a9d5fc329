"""Generated tenants for the data-survival check: hypothesis strategies and the seeding hook."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from hypothesis import strategies as st

from infra.migrations.seed import insert_orgs

SLUG_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
SLUGS = st.lists(SLUG_PART, min_size=1, max_size=4).map("-".join).filter(lambda s: 3 <= len(s) <= 40)
NAMES = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=60)
SETTINGS = st.fixed_dictionaries(
    {},
    optional={
        "locale": st.sampled_from(["de-DE", "en-US", "fr-FR", "pt-BR"]),
        "timezone": st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
        "currency": st.sampled_from(["EUR", "USD", "CHF"]),
        "feature_flags": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True), st.booleans()
        ),
    },
)
ORGS = st.lists(st.tuples(SLUGS, NAMES, SETTINGS), min_size=1, max_size=15, unique_by=lambda o: o[0])


def seeder(orgs: list[tuple[str, str, dict[str, Any]]]) -> Any:
    """A hook for stepwise_roundtrip: after each revision, insert the orgs (slugs suffixed per step)."""

    def seed(conn: sa.Connection, revision: str) -> None:
        insert_orgs(
            conn,
            [
                {"name": n, "slug": f"{s}-r{revision.lower()}"[:63].strip("-"), "settings": json.dumps(c)}
                for s, n, c in orgs
            ],
        )

    return seed
