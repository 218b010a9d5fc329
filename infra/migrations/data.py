"""Does data survive a migration step? Capture every row of every table, compare on the columns kept."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from infra.findings import Check, Finding, produces

Rows = dict[str, list[dict[str, Any]]]  # table -> rows as JSON objects


def capture_rows(
    conn: sa.Connection, schema: str = "public", exclude: tuple[str, ...] = ("alembic_version",)
) -> Rows:
    """Every row of every table in `schema`, as JSON (so any column type compares)."""
    tables = conn.execute(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"), {"s": schema}
    ).scalars()
    rows: Rows = {}
    for table in tables:
        if table in exclude:
            continue
        quoted = conn.dialect.identifier_preparer.quote(table)
        result = conn.execute(sa.text(f"SELECT to_jsonb(t) FROM {schema}.{quoted} AS t"))  # noqa: S608 - catalog name
        rows[table] = [r[0] for r in result]
    return rows


def _projected(rows: list[dict[str, Any]], columns: set[str]) -> list[str]:
    return sorted(json.dumps({k: v for k, v in r.items() if k in columns}, sort_keys=True) for r in rows)


@produces("migrations.data-survives")
def data_findings(
    check: Check, before: Rows, after: Mapping[str, list[dict[str, Any]]], where: str
) -> list[Finding]:
    """Rows inserted before a step are unchanged after it.

    Rows present before a step must be present after it, unchanged on the columns both sides have.
    A table the step dropped loses its rows (that is data loss too, unless the table was empty);
    new columns and new tables are fine.

    Why: A migration that rewrites or drops tenants' data passes every schema check.
    """
    findings = []
    for table, old in before.items():
        if not old:
            continue
        if table not in after:
            findings.append(
                Finding(
                    check.id,
                    f"{where}, table {table}",
                    f"its {len(old)} row(s) kept",
                    "the table is gone",
                )
            )
            continue
        new = after[table]
        columns = set(old[0]) & (set(new[0]) if new else set(old[0]))
        lost = sorted(set(_projected(old, columns)) - set(_projected(new, columns)))
        if len(new) < len(old) or lost:
            sample = lost[0] if lost else ""
            findings.append(
                Finding(
                    check.id,
                    f"{where}, table {table}",
                    f"{len(old)} row(s) unchanged on columns {sorted(columns)}",
                    f"{len(new)} row(s); {len(lost)} changed or missing, e.g. {sample[:200]}",
                )
            )
    return findings
