"""Run in a separate process by infra.safety.oldcode: the base ref's models, against the new schema.

Standalone on purpose (imports only SQLAlchemy): it runs with the base ref's checkout first on
sys.path, so the models it imports are the old release's, not the working tree's. For every mapped
table (parents first) it inserts one row through the old Table, selects it back, and updates it, each
in a savepoint; it prints a JSON list of failures, each naming the table and, when it can be told,
the column. Usage: python oldcode_child.py CHECKOUT MODULE:ATTRIBUTE, the database URL on stdin
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib
import importlib.util
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

_COLUMN = re.compile(r'column "([^"]+)"')


def load(checkout: Path, spec: str) -> sa.MetaData:
    target, _, attribute = spec.partition(":")
    sys.path.insert(0, str(checkout))
    if target.endswith(".py"):
        path = checkout / target
        module_spec = importlib.util.spec_from_file_location("_base_models", path)
        if module_spec is None or module_spec.loader is None:
            raise SystemExit(f"cannot load {path}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
        found = Path(getattr(module, "__file__", None) or "").resolve()
        if not found.is_relative_to(checkout.resolve()):  # an installed package, not the base ref's code
            raise SystemExit(f"{target} is not in the base ref's checkout (imported from {found})")
    named: Any = module
    for name in (attribute or "metadata").split("."):
        named = getattr(named, name)
    # A declarative Base (or anything with .metadata), as --metadata accepts it.
    metadata = named if isinstance(named, sa.MetaData) else getattr(named, "metadata", None)
    if not isinstance(metadata, sa.MetaData):
        raise SystemExit(f"{spec} is neither a SQLAlchemy MetaData nor has one (a declarative Base)")
    return metadata


def value(column: sa.Column[Any], full: bool) -> Any:  # noqa: PLR0911 - one case per type family
    """A value the old code could write: at the type's full width when `full`."""
    t = column.type
    length = getattr(t, "length", None)
    if isinstance(t, sa.Enum) and t.enums:
        return t.enums[0]
    if isinstance(t, sa.String):
        return ("x" * (length or 12)) if full else "x"
    if isinstance(t, sa.Boolean):
        return True
    if isinstance(t, sa.BigInteger):
        return 2**40 if full else 1
    if isinstance(t, sa.Integer):
        return 2**30 if full else 1
    if isinstance(t, sa.Numeric):
        return decimal.Decimal("1")
    if isinstance(t, sa.Float):
        return 1.5
    if isinstance(t, sa.DateTime):
        return dt.datetime.now(dt.UTC)
    if isinstance(t, sa.Date):
        return dt.date.today()
    if isinstance(t, sa.Uuid):
        return uuid.uuid4()
    if isinstance(t, sa.JSON):
        return {}
    if isinstance(t, sa.ARRAY):
        return []
    return None


def columns_to_write(table: sa.Table) -> list[sa.Column[Any]]:
    """What the old code writes: every column without a server-side default (the ORM's INSERT)."""
    return [
        c
        for c in table.columns
        if c.server_default is None and not (c.primary_key and c.autoincrement is True)
    ]


def row_for(
    table: sa.Table, keys: dict[str, dict[str, Any]], full: bool, only_full: str | None = None
) -> dict[str, Any]:
    row = {}
    for c in columns_to_write(table):
        fk = next(iter(c.foreign_keys), None)
        if fk is not None and fk.column.table.name in keys:
            row[c.name] = keys[fk.column.table.name].get(fk.column.name)
        else:
            row[c.name] = value(c, full if only_full is None else c.name == only_full)
    return row


def failure(table: str, operation: str, exc: sa.exc.DBAPIError, column: str | None = None) -> dict[str, Any]:
    orig = exc.orig
    message = " ".join(str(orig).split())[:200]
    diag = getattr(orig, "diag", None)
    named = column or (diag.column_name if diag is not None else None)
    if not named and (m := _COLUMN.search(message)):
        named = m.group(1)
    return {
        "table": table,
        "column": named,
        "operation": operation,
        "error": f"{type(orig).__name__}: {message}",
    }


def _insert(conn: sa.Connection, table: sa.Table, row: dict[str, Any]) -> Any:
    with conn.begin_nested():
        return conn.execute(sa.insert(table).values(row).returning(*table.primary_key.columns)).one()


def _narrowed(
    conn: sa.Connection, table: sa.Table, row: dict[str, Any], keys: dict[str, dict[str, Any]]
) -> str | None:
    """The column whose full-width value alone makes the insert fail (a narrowed type), if one does."""
    for name in row:
        small = row_for(table, keys, full=False, only_full=name)
        try:
            _insert(conn, table, {k: small[k] for k in row})
        except sa.exc.DataError:
            return name
        except sa.exc.DBAPIError:
            continue
    return None


def insert_findings(
    conn: sa.Connection, table: sa.Table, keys: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], Any, dict[str, Any]]:
    """Insert as the old code would; after each failure that names a column, carry on without that
    column's problem, so that every broken column is named (not only the first)."""
    row = row_for(table, keys, full=True)
    problems: list[dict[str, Any]] = []
    for _ in range(len(table.columns) + 1):
        try:
            return problems, _insert(conn, table, row), row
        except sa.exc.DataError as exc:
            column = _narrowed(conn, table, row, keys)
            problems.append(failure(table.name, "insert", exc, column))
            if column is None:
                break
            row[column] = row_for(table, keys, full=False)[column]
        except sa.exc.DBAPIError as exc:
            problems.append(failure(table.name, "insert", exc))
            column = problems[-1]["column"]
            if column not in row or exc.orig is None or "does not exist" not in str(exc.orig):
                break
            del row[column]  # dropped or renamed: see what else breaks
    return problems, None, row


def exercise(conn: sa.Connection, table: sa.Table, keys: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    problems, inserted, row = insert_findings(conn, table, keys)
    if inserted is None:
        return problems
    keys[table.name] = dict(inserted._mapping) | {k: v for k, v in row.items() if k not in inserted._mapping}
    where = sa.and_(*(c == inserted._mapping[c.name] for c in table.primary_key.columns))
    for operation, statement in (
        ("select", sa.select(table).where(where)),
        (
            "update",
            sa.update(table)
            .where(where)
            .values(
                {c.name: row[c.name] for c in columns_to_write(table) if not c.primary_key and c.name in row}
            ),
        ),
    ):
        try:
            with conn.begin_nested():
                conn.execute(statement)
        except sa.exc.DBAPIError as exc:
            problems.append(failure(table.name, operation, exc))
        except sa.exc.ArgumentError:
            continue  # nothing to update
    return problems


def main(argv: list[str]) -> int:
    checkout, spec, url = Path(argv[0]), argv[1], sys.stdin.readline().strip()
    metadata = load(checkout, spec)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    problems: list[dict[str, Any]] = []
    keys: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            problems += exercise(conn, table, keys)
        conn.rollback()  # the new schema's database is left as it was
    engine.dispose()
    print(json.dumps({"tables": [t.name for t in metadata.sorted_tables], "failures": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
