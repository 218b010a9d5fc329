"""Does data survive a migration step? Capture every row of every table, compare on the columns kept.

Every finding has a kind, so a history's findings split into what matters and what the project chose:
- `upgrade-changes-data` (error): the upgrade rewrote, nulled or deleted existing rows;
- `upgrade-fails-on-data` / `downgrade-fails-on-data` (error): the step fails on rows the schema
  allows and succeeds without them (found by the walker's retry);
- `downgrade-loses-data` (error): the downgrade deletes rows or nulls/changes values the upgraded
  schema still held; a revision may declare it (`lossy = [...]` in the migrations policy), and the
  finding is then reported as declared;
- `column-dropped` (info): the upgrade dropped a column (or table) holding values, so no downgrade can
  bring them back: inherent in the revision, not a defect of its downgrade.
Values are compared by meaning, not by JSON type: across a type change (`integer` -> `varchar`) `1`
and `"1"` are the same value, so both sides are compared as their text renderings.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from infra.findings import Check, Finding, produces

Rows = dict[str, list[dict[str, Any]]]  # table -> rows as JSON objects
KINDS = {
    "upgrade-changes-data": "error",
    "upgrade-fails-on-data": "error",
    "downgrade-loses-data": "error",
    "downgrade-fails-on-data": "error",
    "column-dropped": "info",
}


@dataclass(frozen=True)
class DataFinding(Finding):
    """A data-survival finding with its kind (KINDS), and the policy's declaration when the revision
    declares its downgrade lossy (then it is reported, not failed)."""

    kind: str = "upgrade-changes-data"
    declared: str | None = None

    @property
    def severity(self) -> str:
        return "info" if self.declared else KINDS[self.kind]


def failing(findings: list[Finding]) -> list[Finding]:
    """The findings that fail a check: every one but the data findings of severity info (inherent
    `column-dropped`, downgrades the policy declares lossy), which are reported, not failed."""
    return [f for f in findings if not isinstance(f, DataFinding) or f.severity == "error"]


def capture_rows(
    conn: sa.Connection, schema: str = "public", exclude: tuple[str, ...] = ("alembic_version",)
) -> Rows:
    """Every row of every table in `schema`, as JSON (so any column type compares); one statement."""
    tables = [
        t
        for t in conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"), {"s": schema}
        ).scalars()
        if t not in exclude
    ]
    rows: Rows = {t: [] for t in tables}
    if not tables:
        return rows
    quote = conn.dialect.identifier_preparer.quote
    union = " UNION ALL ".join(
        f"SELECT {i} AS n, to_jsonb(t) AS r FROM {quote(schema)}.{quote(t)} AS t"  # noqa: S608 - catalog names
        for i, t in enumerate(tables)
    )
    for number, row in conn.execute(sa.text(union)):
        rows[tables[number]].append(row)
    return rows


def as_text(value: Any) -> str | None:
    """A JSON value as PostgreSQL's text rendering would compare: `1`, `1.0` and `"1"` are "1",
    booleans "true"/"false", NULL None, objects and arrays their canonical JSON."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(str(value))
    if isinstance(value, str):
        return _number(value) if _looks_numeric(value) else value
    return json.dumps(value, sort_keys=True)


def _looks_numeric(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


def _number(text: str) -> str:
    normal = Decimal(text).normalize()
    return format(normal, "f") if normal == normal.to_integral() else str(normal)


def _projected(rows: list[dict[str, Any]], columns: set[str]) -> list[str]:
    return sorted(json.dumps({k: as_text(r.get(k)) for k in columns}, sort_keys=True) for r in rows)


def changed_columns(old: list[dict[str, Any]], new: list[dict[str, Any]], columns: set[str]) -> list[str]:
    """The columns whose values (as a multiset of text renderings) differ between the two row sets."""
    return sorted(
        c
        for c in columns
        if Counter(as_text(r.get(c)) for r in old) != Counter(as_text(r.get(c)) for r in new)
    )


def _kind(downgrade: bool, columns: list[str], upgraded: list[dict[str, Any]] | None) -> str:
    """A downgrade that cannot restore what the upgrade dropped is `column-dropped`; other downgrade
    changes are `downgrade-loses-data`; any change by an upgrade is `upgrade-changes-data`."""
    if not downgrade:
        return "upgrade-changes-data"
    if upgraded is None or not columns:
        return "downgrade-loses-data"
    kept = set(upgraded[0]) if upgraded else set()
    return "column-dropped" if not set(columns) & kept else "downgrade-loses-data"


@produces("migrations.data-survives")
def data_findings(
    check: Check,
    before: Rows,
    after: Mapping[str, list[dict[str, Any]]],
    where: str,
    *,
    upgraded: Mapping[str, list[dict[str, Any]]] | None = None,
    lossy: str | None = None,
) -> list[Finding]:
    """Rows inserted before a step are unchanged after it.

    Rows present before a step must be present after it, unchanged on the columns both sides have
    (compared by meaning: text renderings, whatever the column type became). A table the step dropped
    loses its rows (that is data loss too, unless the table was empty); new columns and new tables are
    fine. For a downgrade (`where` ends with "(downgrade)"), `upgraded` is the upgraded state: values
    of columns it no longer had were dropped by the upgrade (kind `column-dropped`, info); `lossy` is
    the policy's declaration that this downgrade loses data on purpose.

    Why: A migration that rewrites or drops tenants' data passes every schema check.
    """
    downgrade = where.endswith("(downgrade)")
    findings: list[Finding] = []
    for table, old in before.items():
        if not old:
            continue
        if table not in after:
            kind = "downgrade-loses-data" if downgrade else "column-dropped"
            findings.append(
                _finding(
                    check,
                    kind,
                    lossy,
                    where=f"{where}, table {table}",
                    expected=f"its {len(old)} row(s) kept",
                    found="the table is gone",
                )
            )
            continue
        new = after[table]
        columns = set(old[0]) & (set(new[0]) if new else set(old[0]))
        lost = sorted(set(_projected(old, columns)) - set(_projected(new, columns)))
        if len(new) < len(old) or lost:
            changed = changed_columns(old, new, columns)
            kind = _kind(downgrade, changed, None if upgraded is None else upgraded.get(table))
            what = f"columns {changed} changed" if changed else "rows deleted"
            findings.append(
                _finding(
                    check,
                    kind,
                    lossy,
                    where=f"{where}, table {table}",
                    expected=f"{len(old)} row(s) unchanged on columns {sorted(columns)}",
                    found=f"{kind}: {len(new)} row(s), {what}; {len(lost)} changed or missing, "
                    f"e.g. {lost[0][:200] if lost else ''}",
                )
            )
    return findings


def _finding(check: Check, kind: str, lossy: str | None, *, where: str, expected: str, found: str) -> Finding:
    declared = lossy if kind == "downgrade-loses-data" else None
    if declared:
        found += f" (declared lossy: {declared})"
    return DataFinding(check.id, where, expected, found, kind=kind, declared=declared)
