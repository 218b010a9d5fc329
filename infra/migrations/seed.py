"""Generated tenants for round trips run outside pytest (the CLI): deterministic for a given seed."""

from __future__ import annotations

import json
import random
import string

import sqlalchemy as sa


def generated_orgs(count: int, seed: int = 20261126) -> list[dict[str, str]]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    rows = []
    for i in range(count):
        words = [
            "".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(1, 8)))
            for _ in range(3)
        ]
        name = " ".join(w.capitalize() for w in words) + rng.choice(
            ["", " GmbH", " Ltd.", " S.A.", " ÄÖÜ & Co"]
        )
        rows.append(
            {
                "name": name,
                "slug": f"{'-'.join(words)}-{i}",
                "settings": json.dumps(
                    rng.choice(
                        [
                            {},
                            {"currency": "EUR"},
                            {"timezone": "Europe/Berlin", "feature_flags": {"beta": True}},
                        ]
                    )
                ),
            }
        )
    return rows


def insert_orgs(conn: sa.Connection, rows: list[dict[str, str]]) -> int:
    """Insert org rows (name, slug, settings as JSON text) into whichever of those columns the table
    has at the current revision; nothing when there is no such table yet. Returns rows inserted."""
    columns = set(
        conn.execute(
            sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = 'org'"
            )
        ).scalars()
    )
    if not rows or not {"name", "slug"} <= columns:
        return 0
    if "settings" in columns:
        sql = "INSERT INTO org (name, slug, settings) VALUES (:name, :slug, CAST(:settings AS jsonb))"
    else:
        sql = "INSERT INTO org (name, slug) VALUES (:name, :slug)"
    conn.execute(sa.text(sql), rows)
    return len(rows)


def seed_orgs(conn: sa.Connection, count: int = 20) -> int:
    """Insert generated orgs when the tenant table exists; returns how many were inserted."""
    return insert_orgs(conn, generated_orgs(count))
