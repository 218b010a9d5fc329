"""Naming rules: tables, columns, and constraint and index names rendered from the naming convention."""

from __future__ import annotations

import re
from collections.abc import Iterator

from infra.audit.naming import (
    PG_MAX_IDENTIFIER_BYTES,
    Kind,
    NameSpec,
    collisions,
    convention_name,
    expected_name,
    fits_shape,
    shape,
)
from infra.audit.rule import rule
from infra.audit.view import SchemaView, is_snake_case, looks_plural, singular_of, table_label
from infra.catalog import Constraint, Index, Table
from infra.findings import Check, Finding

CONSTRAINT_KINDS: dict[str, Kind] = {"primary key": "pk", "foreign key": "fk", "unique": "uq", "check": "ck"}
_LITERAL = re.compile(r"'(?:[^']|'')*'")
_IDENTIFIER = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)')


@rule("schema.table-name")
def table_names(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Table names are snake_case and singular (`order_line`, not `OrderLines` or `order_lines`).

    Why: one spelling to guess; the ORM class `OrderLine` maps to `order_line`. Plurals are spotted by
    a heuristic: the last word ends in "s" but not in "ss", "us" or "is", and is not an allowed
    exception (status, address, settings...), or is an irregular plural (people, children).
    Fix: rename the table in a migration (`op.rename_table`).
    """
    for table in view.tables:
        where = f"table {table_label(table)}"
        if not is_snake_case(table.name):
            yield Finding(check.id, where, "a snake_case name", repr(table.name), "rename the table")
        elif looks_plural(table.name, view.options):
            yield Finding(
                check.id,
                where,
                "a singular name",
                f"{table.name!r} reads as a plural",
                f"rename it to {singular_of(table.name)!r} (`op.rename_table`), or add the word to the "
                "audit's singular exceptions if it is singular",
            )


@rule("schema.column-name")
def column_names(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Column names are snake_case.

    Why: unquoted identifiers fold to lowercase, so a camelCase column has to be quoted in every query.
    Fix: rename the column in a migration (`op.alter_column(..., new_column_name=...)`).
    """
    for table in view.tables:
        for column in view.columns.get(table.key, ()):
            if not is_snake_case(column.name):
                yield Finding(
                    check.id,
                    f"column {column.label}",
                    "a snake_case name",
                    repr(column.name),
                    "rename the column",
                )


def _spec(table: Table, kind: Kind, columns: tuple[str, ...], c: Constraint | None) -> NameSpec:
    schema = None if table.schema == "public" else table.schema
    if c is None or c.referred_table is None:
        return NameSpec(kind, table.name, columns, schema=schema)
    referred_schema = None if c.referred_schema in (None, "public") else c.referred_schema
    return NameSpec(
        kind, table.name, columns, c.referred_table, c.referred_columns, None, schema, referred_schema
    )


def _mismatch(
    rule_id: str,
    where: str,
    actual: str,
    *,
    expected: str,
    full: str | None,
    hint: str,
    shaped: str | None = None,
) -> Finding:
    """`full`: the convention's name before shortening, shown when it was shortened; `shaped`: the
    shape an explicit name may have instead."""
    text = repr(expected)
    if full is not None and full != expected:
        text += f" (the convention renders {full!r}, {len(full.encode())} bytes, shortened)"
    if shaped is not None:
        text += f", or an explicit name shaped {shaped!r}"
    return Finding(rule_id, where, text, repr(actual), hint)


def index_columns(index: Index, table_columns: set[str]) -> tuple[str, ...]:
    """The columns SQLAlchemy would see: key columns in order, an expression's columns where it stands
    (in order of appearance, string literals ignored), each once."""
    expressions = iter(index.expressions)
    found: list[str] = []
    for column in index.columns:
        if column is not None:
            found.append(column)
            continue
        text = _LITERAL.sub("", next(expressions, ""))
        for quoted, bare in _IDENTIFIER.findall(text):
            name = quoted.replace('""', '"') if quoted else bare
            if name in table_columns:
                found.append(name)
    return tuple(dict.fromkeys(found))


Entry = tuple[str, str, str | None]  # (object, actual name, expected name or None)


def _collision_findings(
    rule_id: str, entries: list[Entry], must_include: set[str] | None = None
) -> Iterator[Finding]:
    """Names shared by distinct objects, as they are and as the convention would have them; once each."""
    seen: set[tuple[str, ...]] = set()
    actual = [(obj, name) for obj, name, _ in entries]
    expected = [(obj, name) for obj, _, name in entries if name is not None]
    for clash in collisions(actual) + collisions(expected):
        if clash.objects in seen or (must_include is not None and not must_include & set(clash.objects)):
            continue
        seen.add(clash.objects)
        yield Finding(
            rule_id,
            ", ".join(clash.objects),
            f"distinct names after PostgreSQL's {PG_MAX_IDENTIFIER_BYTES}-byte truncation",
            f"{len(clash.objects)} objects named {clash.name!r}",
            "let the convention name them (op.f(...)): SQLAlchemy shortens long names with a hash, so they "
            "stay distinct; or shorten the table or column names",
        )


@rule("schema.constraint-names")
def constraint_names(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Primary key, foreign key, unique and check constraint names are the naming convention's.

    Why: predictable names make migrations (`op.drop_constraint`) and error messages readable. Names
    are compared after SQLAlchemy's shortening of long names (55 characters + `_` + 4 hex digits)
    and PostgreSQL's 63-byte truncation, and no two constraints in a schema may share a name.
    Fix: name constraints through the convention: `op.f(...)` in migrations, or let SQLAlchemy render
    them; `ALTER TABLE ... RENAME CONSTRAINT old TO new` for existing ones.
    """
    entries: list[Entry] = []
    for table, c, spec, expected in _constraints(view, tuple(CONSTRAINT_KINDS)):
        entries.append((f"{c.type} {c.label}", c.name, _real(expected)))
        if spec is not None and expected is not None and expected != c.name:
            yield _mismatch(
                check.id,
                f"{c.type} {c.label}",
                c.name,
                expected=expected,
                full=convention_name(view.convention, spec),
                hint=f"ALTER TABLE {table_label(table)} RENAME CONSTRAINT {c.name} TO {expected}",
            )
    yield from _collision_findings(check.id, entries)


def _real(expected: str | None) -> str | None:
    """An expected name, unless it is only a shape (`ck_org_<name>`): shapes name no object."""
    return None if expected is None or "<name>" in expected else expected


def _constraints(
    view: SchemaView, types: tuple[str, ...]
) -> Iterator[tuple[Table, Constraint, NameSpec | None, str | None]]:
    """Constraints of the audited tables with their spec and expected name (None: no template)."""
    for table in view.tables:
        for c in view.constraints_of(table, *types):
            kind = CONSTRAINT_KINDS.get(c.type)
            spec = _spec(table, kind, c.columns, c) if kind else None
            yield table, c, spec, expected_name(view.convention, spec, c.name) if spec else None


def _index_entries(view: SchemaView) -> Iterator[tuple[Index, Entry, NameSpec]]:
    for table in view.tables:
        columns = {c.name for c in view.columns.get(table.key, ())}
        for index in view.indexes.get(table.key, ()):
            if index.constraint is None:
                spec = _spec(table, "ix", index_columns(index, columns), None)
                expected = expected_name(view.convention, spec, index.name) if spec.columns else None
                yield index, (f"index {index.label} on {table_label(table)}", index.name, expected), spec


@rule("schema.index-names")
def index_names(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Index names are the naming convention's (`ix_<table>_<columns>`), truncated without collisions;
    an expression index may instead carry an explicit name of that shape.

    Why: predictable names make migrations (`op.drop_index`) and plans readable. Indexes that implement
    a primary key or unique constraint carry the constraint's name and are checked with it; an index
    name must not collide with another index's or such a constraint's (they share one namespace).
    Fix: create indexes through the convention (`op.f(...)`, or `Index(None, ...)` in the model);
    `ALTER INDEX old RENAME TO new` for existing ones.
    """
    entries = list(_index_entries(view))
    for index, (label, actual, expected), spec in entries:
        explicit = shape(view.convention, spec) if None in index.columns else None
        if expected is None or expected == actual or (explicit and fits_shape(actual, explicit)):
            continue
        yield _mismatch(
            check.id,
            label,
            actual,
            expected=expected,
            full=convention_name(view.convention, spec),
            hint=f"ALTER INDEX {index.label} RENAME TO {expected}",
            shaped=explicit,
        )
    own = [entry for _, entry, _ in entries]
    relations = own + [
        (f"{c.type} {c.label}", c.name, _real(expected))
        for _, c, _, expected in _constraints(view, ("primary key", "unique", "exclusion"))
    ]
    yield from _collision_findings(check.id, relations, {label for label, _, _ in own})
