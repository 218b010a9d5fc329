"""Volume: many rows in every table (a size you set), so a traced scan or rewrite costs something and
data-dependent failures (a unique index on duplicates, NOT NULL on nulls, a CHECK that rows break) happen
in the walk instead of in production.

Why beside infra.migrations.seed: that seeder draws rows with hypothesis for variety (every type, the
checks it can read) and is the one data survival relies on, but it cannot make volume: 200 rows per
table (two tables) took 28 s and 1000 are refused as too large to generate. This one is one INSERT
... SELECT over generate_series per table (milliseconds for thousands of rows), and it repeats values
and leaves NULLs on purpose, which random rows rarely do.

Generic and simple: one INSERT ... SELECT over generate_series per table, parents before children,
values from the column's type. Columns in a unique or primary key get distinct values; other text and
number columns repeat (so a new unique index finds duplicates) and nullable ones are NULL in every
tenth row (so a new NOT NULL finds nulls). A table whose constraints refuse the generated rows is
skipped and named, never silently left empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '',
       t.typtype, (SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = a.atttypid
                   ORDER BY e.enumsortorder LIMIT 1),
       EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique
               AND a.attnum = ANY (i.indkey)),
       (SELECT f.relname || '.' || fa.attname FROM pg_constraint k
          JOIN pg_class f ON f.oid = k.confrelid
          JOIN pg_attribute fa ON fa.attrelid = k.confrelid AND fa.attnum = k.confkey[1]
        WHERE k.conrelid = c.oid AND k.contype = 'f' AND k.conkey[1] = a.attnum LIMIT 1)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, a.attnum
"""


@dataclass
class _Column:
    name: str
    type: str
    not_null: bool
    has_default: bool
    typtype: str
    enum_first: str | None
    unique: bool
    references: str | None  # "table.column"


@dataclass
class SeedResult:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows inserted
    skipped: dict[str, str] = field(default_factory=dict)  # table -> why


def _value(col: _Column, n: int) -> str | None:  # noqa: PLR0911 - one case per type family
    """A SQL expression over `g` (1..n) for the column, or None to leave it to its default/NULL."""
    if col.references:  # the parent's keys, gathered once per column (see _seed_table)
        return f'"ref_{col.name}".keys[1 + (g % cardinality("ref_{col.name}".keys))]'
    t = col.type
    key = "g" if col.unique else "(g % 7)"
    if col.has_default and (col.unique or col.not_null):
        return None
    if col.typtype == "e" and col.enum_first is not None:
        return f"'{col.enum_first}'"
    if t == "uuid":
        return "gen_random_uuid()"
    if t in ("integer", "bigint", "smallint") or t.startswith("numeric"):
        return key
    if t in ("real", "double precision"):
        return f"{key}::float8"
    if t == "boolean":
        return "(g % 2 = 0)"
    if t in ("text",) or t.startswith(("character varying", "character(")):
        length = t.split("(")[1].rstrip(")") if "(" in t else "64"
        return f"left('val' || {key}, {length})"
    if t.startswith("timestamp") or t == "date":
        return f"now() - {key} * interval '1 day'"
    if t in ("jsonb", "json"):
        return "'{}'"
    if t.endswith("[]"):
        return "'{}'"
    return None


def _nullable(expr: str, col: _Column) -> str:
    if col.not_null or col.unique or col.references:
        return expr
    return f"CASE WHEN g % 10 = 0 THEN NULL ELSE {expr} END"


def seed(
    conn: sa.Connection,
    rows: int,
    schema: str = "public",
    exclude: tuple[str, ...] = ("alembic_version",),
    only: Iterable[str] | None = None,
) -> SeedResult:
    """Insert `rows` generated rows into every table of `schema` (`only`: these; parents first), then
    ANALYZE them."""
    result = SeedResult()
    wanted = set(only) if only is not None else None
    if rows <= 0 or (wanted is not None and not wanted):
        return result
    columns: dict[str, list[_Column]] = {}
    for r in conn.execute(sa.text(_COLUMNS), {"schema": schema}):
        if r[0] not in exclude and (wanted is None or r[0] in wanted):
            columns.setdefault(r[0], []).append(_Column(*r[1:]))
    done: set[str] = set()
    pending = sorted(columns)
    while pending:
        ready = (
            [
                t
                for t in pending
                if all(  # a parent outside `only` already holds its rows
                    c.references.split(".")[0] in done | {t} or c.references.split(".")[0] not in columns
                    for c in columns[t]
                    if c.references
                )
            ]
            or pending[:1]
        )
        for table in ready:
            pending.remove(table)
            done.add(table)
            _seed_table(conn, table, columns[table], rows, result)
    prep = conn.dialect.identifier_preparer
    if result.rows:
        conn.execute(sa.text(f"ANALYZE {', '.join(prep.quote(t) for t in result.rows)}"))
    return result


def _seed_table(conn: sa.Connection, table: str, cols: list[_Column], rows: int, result: SeedResult) -> None:
    chosen = [
        (c, _nullable(v, c))
        for c in cols
        if (v := _value(c, rows)) is not None and not (c.references and c.references.startswith(f"{table}."))
    ]
    missing = [c.name for c in cols if c.not_null and not c.has_default and c not in [x for x, _ in chosen]]
    if missing:
        result.skipped[table] = f"no generated value for NOT NULL column(s) {', '.join(missing)}"
        return
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(c.name) for c, _ in chosen)
    values = ", ".join(expr for _, expr in chosen)
    parents = "".join(  # catalog names, quoted
        f', (SELECT array_agg({prep.quote(ref_col)}) AS keys FROM {prep.quote(ref_table)}) AS "ref_{c.name}"'  # noqa: S608
        for c, _ in chosen
        if c.references
        for ref_table, _, ref_col in [c.references.partition(".")]
    )
    sql = f"INSERT INTO {prep.quote(table)} ({names}) SELECT {values} FROM generate_series(1, {rows}) AS g"  # noqa: S608
    sql += parents
    try:
        with conn.begin_nested():
            inserted = conn.execute(sa.text(sql)).rowcount
    except sa.exc.DBAPIError as exc:
        result.skipped[table] = " ".join(str(exc.orig).split())[:200]
        return
    result.rows[table] = inserted
