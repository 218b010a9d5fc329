"""Rows for every table, whatever the schema: generated with hypothesis from the reflected columns,
their types, uniques and foreign keys (parents before children). Check constraints are not
interpreted: a row the database refuses is dropped (a table's rows go in as one statement; when it is
refused, one by one, each in its own savepoint), and a table none of whose rows went in is reported
as unfillable with the database's reason.

Why generic: a seeder written for one schema's tables inserts nothing on any other, and a data-survival
check that inserted nothing passes without having checked anything.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql as pg

from infra.migrations.constraints import Rule, column_rules

ROWS_PER_TABLE = 3
CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))  # PostgreSQL text holds no NUL
TEXT = st.text(CHARS, min_size=1, max_size=12)
JSON_VALUES = st.dictionaries(
    st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8),
    st.none() | st.booleans() | st.integers(-1000, 1000) | TEXT,
    max_size=3,
)


@dataclass
class SeedReport:
    """What a seeding examined: rows inserted per table, and tables it could not fill, with why."""

    inserted: dict[str, int] = field(default_factory=dict)
    unfillable: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.inserted.values())

    def merge(self, other: SeedReport) -> None:
        for table, count in other.inserted.items():
            self.inserted[table] = self.inserted.get(table, 0) + count
            self.unfillable.pop(table, None)
        for table, why in other.unfillable.items():
            if not self.inserted.get(table):
                self.unfillable[table] = why

    def summary(self) -> str:
        filled = sum(1 for n in self.inserted.values() if n)
        text = f"{self.rows} row(s) seeded in {filled} table(s)"
        if self.unfillable:
            text += "; could not fill: " + "; ".join(f"{t} ({w})" for t, w in sorted(self.unfillable.items()))
        return text


def _bounded(bits: int) -> st.SearchStrategy[int]:
    return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def type_strategy(col_type: sa.types.TypeEngine[Any]) -> st.SearchStrategy[Any] | None:  # noqa: PLR0911
    """Values of a reflected column type; None when we have no generator for it."""
    if isinstance(col_type, sa.Enum):
        return st.sampled_from(list(col_type.enums)) if col_type.enums else None
    if isinstance(col_type, sa.ARRAY):
        item = type_strategy(col_type.item_type)
        return st.lists(item, max_size=3) if item is not None else None
    simple: list[tuple[type[Any], st.SearchStrategy[Any]]] = [
        (sa.Boolean, st.booleans()),
        (sa.SmallInteger, _bounded(16)),
        (sa.BigInteger, _bounded(64)),
        (sa.Integer, _bounded(32)),
        (pg.UUID, st.uuids()),
        (sa.Uuid, st.uuids()),
        (sa.JSON, JSON_VALUES),
        (sa.LargeBinary, st.binary(max_size=32)),
        (sa.Interval, st.timedeltas(dt.timedelta(days=-999), dt.timedelta(days=999))),
        (sa.Date, st.dates(dt.date(1970, 1, 1), dt.date(2100, 1, 1))),
        (sa.Time, st.times()),
    ]
    for kind, strategy in simple:
        if isinstance(col_type, kind):
            return strategy
    if isinstance(col_type, sa.DateTime):
        zone = st.just(dt.UTC) if col_type.timezone else st.none()
        return st.datetimes(dt.datetime(1970, 1, 2), dt.datetime(2100, 1, 1), timezones=zone)
    if isinstance(col_type, sa.Float):
        return st.floats(-1e6, 1e6, allow_nan=False, width=32).map(lambda f: round(f, 2))
    if isinstance(col_type, sa.Numeric):
        precision, scale = col_type.precision or 12, col_type.scale or 0
        limit = decimal.Decimal(10) ** (min(precision, 12) - scale) - 1
        return st.decimals(-limit, limit, places=scale, allow_nan=False, allow_infinity=False)
    if isinstance(col_type, sa.String):  # Text, VARCHAR(n), CHAR(n)
        return st.text(CHARS, min_size=1, max_size=min(col_type.length or 24, 24))
    return None


def constrained(col_type: sa.types.TypeEngine[Any], rule: Rule) -> st.SearchStrategy[Any] | None:
    """Values of `col_type` within what the table's checks allow; None: use the plain generator."""
    if rule.choices:
        return st.sampled_from(rule.choices)
    if isinstance(col_type, sa.String):
        low = max(rule.min_len or 1, 1)
        high = max(low, min(rule.max_len or 40, col_type.length or 40, 40))
        if rule.regex:
            try:
                re.compile(rule.regex)
            except re.error:
                return None  # a PostgreSQL-only construct: let the database judge
            return st.from_regex(rule.regex, fullmatch=True).filter(lambda s: low <= len(s) <= high)
        return st.text(CHARS, min_size=low, max_size=high)
    if isinstance(col_type, sa.Integer) and (rule.min_value is not None or rule.max_value is not None):
        bits = (
            16 if isinstance(col_type, sa.SmallInteger) else 64 if isinstance(col_type, sa.BigInteger) else 32
        )
        low = int(rule.min_value) if rule.min_value is not None else -(2 ** (bits - 1))
        high = int(rule.max_value) if rule.max_value is not None else 2 ** (bits - 1) - 1
        return st.integers(low, high)
    return None


def _generated(column: sa.Column[Any]) -> bool:
    """Filled by the database: identity, serial / other server defaults, generated columns."""
    return column.server_default is not None or column.computed is not None or column.identity is not None


def row_strategy(table: sa.Table, parents: dict[str, list[tuple[Any, ...]]]) -> st.SearchStrategy[Any] | str:
    """A strategy for one row of `table`, or the reason there is none. `parents`: per foreign key name,
    the referenced rows that exist (a child row points at one of them)."""
    parts: dict[str, st.SearchStrategy[Any]] = {}
    rules = column_rules(str(c.sqltext) for c in table.constraints if isinstance(c, sa.CheckConstraint))
    fk_columns = {e.parent.name for fk in table.foreign_key_constraints for e in fk.elements}
    for column in table.columns:
        if column.name in fk_columns or _generated(column):
            continue
        strategy = constrained(column.type, rules[column.name]) if column.name in rules else None
        if strategy is None:
            strategy = type_strategy(column.type)
        if strategy is None:
            if not column.nullable:
                return f"no generator for column {column.name} of type {column.type}"
            continue
        parts[column.name] = (
            (st.none() | strategy) if column.nullable and not column.primary_key else strategy
        )
    links = []
    for fk in table.foreign_key_constraints:
        columns = [e.parent.name for e in fk.elements]
        rows = parents.get(str(fk.name) + "|" + ",".join(columns), [])
        required = any(not table.c[c].nullable for c in columns)
        if not rows:
            if required:
                return f"foreign key ({', '.join(columns)}) -> {fk.referred_table.name}: no parent rows"
            continue
        pick = st.sampled_from(rows).map(partial(_as_row, columns))
        links.append(pick if required else (st.just({}) | pick))
    return st.tuples(st.fixed_dictionaries(parts), *links).map(_merge)


def _as_row(columns: list[str], values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(columns, values, strict=True))


def _merge(parts: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for part in parts:
        row.update(part)
    return row


def _unique_keys(table: sa.Table) -> tuple[Callable[[dict[str, Any]], Any], ...]:
    """Keys for hypothesis's unique_by: the primary key and unique sets made of generated columns
    (a set with a database-filled column is unique by the database's own doing)."""
    sets = [tuple(c.name for c in table.primary_key.columns)]
    sets += [
        tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, sa.UniqueConstraint)
    ]
    sets += [tuple(c.name for c in i.columns) for i in table.indexes if i.unique]
    usable = [s for s in sets if s and not any(_generated(table.c[c]) for c in s if c in table.c)]
    return tuple(partial(_key, s) for s in usable)


def _key(columns: tuple[str, ...], row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(c) for c in columns)


def draw(strategy: st.SearchStrategy[Any], seed: int) -> Any:
    """One value of `strategy`, reproducible for `seed`, outside any test (the CLI uses it too).
    The second example: hypothesis tries the simplest (all zeros, empty strings) first."""
    drawn: list[Any] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=2,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def pick(value: Any) -> None:
        drawn.append(value)

    pick()
    return drawn[-1]


def _parent_rows(conn: sa.Connection, table: sa.Table) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for fk in table.foreign_key_constraints:
        referred = [e.column for e in fk.elements]
        query = sa.select(*referred).where(sa.and_(*(c.isnot(None) for c in referred))).distinct().limit(20)
        key = str(fk.name) + "|" + ",".join(e.parent.name for e in fk.elements)
        found[key] = [tuple(r) for r in conn.execute(query)]
    return found


PARENTS_SQL = """
WITH RECURSIVE need(oid) AS (
    SELECT c.oid FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(:names)
  UNION
    SELECT con.confrelid FROM pg_constraint con JOIN need ON con.conrelid = need.oid
    WHERE con.contype = 'f'
)
SELECT c.relname, c.relnamespace = 'public'::regnamespace FROM need JOIN pg_class c ON c.oid = need.oid
"""


def _parents_of(conn: sa.Connection, tables: set[str]) -> tuple[set[str], bool]:
    """The tables of the public schema `tables` refer to by foreign keys, transitively, and whether one
    refers to a table of another schema. Reflected in one batch with `tables` (else SQLAlchemy reflects
    each parent met before its turn on its own, a set of queries per table)."""
    names, elsewhere = set(), False
    for name, public in conn.execute(sa.text(PARENTS_SQL), {"names": sorted(tables)}):
        if public:
            names.add(name)
        else:
            elsewhere = True
    return names, elsewhere


def seed_tables(
    conn: sa.Connection, only: Iterable[str] | None = None, seed: int = 0, rows: int = ROWS_PER_TABLE
) -> SeedReport:
    """Insert `rows` generated rows into each table (of the public schema; `only`: these), parents
    first. Committed by the caller."""
    names = set(
        conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    )
    names.discard("alembic_version")
    wanted = names & set(only) if only is not None else names
    report = SeedReport()
    if not wanted:
        return report
    metadata = sa.MetaData()
    parents, elsewhere = _parents_of(conn, wanted)
    metadata.reflect(conn, only=sorted(wanted | parents), resolve_fks=elsewhere)  # all there: by name
    for number, table in enumerate(metadata.sorted_tables):
        if table.name not in wanted:
            continue
        strategy = row_strategy(table, _parent_rows(conn, table))
        if isinstance(strategy, str):
            report.unfillable[table.name] = strategy
            continue
        keys = _unique_keys(table) or None
        inserted, error = _fill_table(conn, table, strategy, keys, rows, seed + number)
        report.inserted[table.name] = inserted
        if error.startswith("cannot generate rows"):
            report.unfillable[table.name] = error
        elif not inserted:
            report.unfillable[table.name] = f"every generated row refused: {error}"
    return report


def _fill_table(  # noqa: PLR0917 - one table's rows, from its strategy
    conn: sa.Connection,
    table: sa.Table,
    strategy: st.SearchStrategy[Any],
    keys: tuple[Callable[[dict[str, Any]], Any], ...] | None,
    rows: int,
    seed: int,
) -> tuple[int, str]:
    """Rows inserted into `table`, and the last reason one was refused (or could not be generated).

    First `rows` rows in one statement (the common case: one hypothesis run of the size needed, one
    round trip); when the database refuses that batch, twice as many drawn anew and inserted one by
    one, each in its own savepoint, until `rows` went in: a row a check refuses is dropped."""
    try:
        values = draw(st.lists(strategy, min_size=rows, max_size=rows, unique_by=keys), seed)
        if values and all(v.keys() == values[0].keys() for v in values):  # one statement needs one shape
            with conn.begin_nested():
                conn.execute(table.insert().values(values))  # one multi-row INSERT, not executemany
            return len(values), ""
    except sa.exc.StatementError:
        pass  # some row refused: one by one below
    except Exception as exc:
        return 0, f"cannot generate rows: {type(exc).__name__}: {exc}"[:200]
    try:
        values = draw(st.lists(strategy, min_size=rows * 2, max_size=rows * 2, unique_by=keys), seed)
    except Exception as exc:
        return 0, f"cannot generate rows: {type(exc).__name__}: {exc}"[:200]
    inserted, error = 0, ""
    for value in values:
        if inserted == rows:
            break
        try:
            with conn.begin_nested():
                conn.execute(table.insert(), value)
            inserted += 1
        except sa.exc.DBAPIError as exc:
            error = (str(exc.orig).strip().splitlines() or ["refused"])[0]
    return inserted, error
