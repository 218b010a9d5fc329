"""Type rules: jsonb over json, timestamptz over timestamp, text over varchar(n) / char(n)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from infra.audit.rule import rule
from infra.audit.view import SchemaView
from infra.catalog import Column
from infra.findings import Check, Finding


def _columns(view: SchemaView, wrong: Callable[[Column], bool]) -> Iterator[Column]:
    for table in view.tables:
        yield from (c for c in view.columns.get(table.key, ()) if wrong(c))


def _element(type_: str) -> str:
    """The element type of an array type (`json[]` -> `json`), the type itself otherwise."""
    return type_.removesuffix("[]")  # format_type() shows any array as one `[]`


def _alter(column: Column, new_type: str, using: str = "") -> str:
    table = column.label.rpartition(".")[0]
    return f"ALTER TABLE {table} ALTER COLUMN {column.name} TYPE {new_type}{using}"


@rule("schema.jsonb-not-json")
def jsonb_not_json(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Columns holding JSON are `jsonb`, never `json`.

    Why: `json` cannot be indexed or compared for equality, is re-parsed on every access, and keeps
    duplicate keys, so two equal documents can differ.
    Fix: `ALTER TABLE <table> ALTER COLUMN <column> TYPE jsonb USING <column>::jsonb`.
    """
    for column in _columns(view, lambda c: _element(c.type) == "json"):
        new = column.type.replace("json", "jsonb", 1)
        yield Finding(
            check.id,
            f"column {column.label}",
            new,
            column.type,
            _alter(column, new, f" USING {column.name}::{new}"),
        )


@rule("schema.timestamptz-not-timestamp")
def timestamptz_not_timestamp(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Timestamps are `timestamptz`, never `timestamp` without time zone.

    Why: a timestamp without zone is ambiguous across regions and daylight saving changes: the same
    value means different instants depending on who reads it.
    Fix: `ALTER TABLE <table> ALTER COLUMN <column> TYPE timestamptz USING <column> AT TIME ZONE 'UTC'`.
    """
    for column in _columns(view, lambda c: "without time zone" in c.type and c.type.startswith("timestamp")):
        new = column.type.replace("without time zone", "with time zone")
        yield Finding(
            check.id,
            f"column {column.label}",
            new,
            column.type,
            _alter(column, new, f" USING {column.name} AT TIME ZONE 'UTC'"),
        )


def _bounded_text(column: Column) -> bool:
    element = _element(column.type)
    return element.startswith(("character varying", "character(")) or element in ("character", "bpchar")


@rule("schema.text-not-varchar")
def text_not_varchar(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Text columns are `text`, not `varchar(n)` or `char(n)`, unless the length is a business rule
    documented in the column's comment with `length-rule:`.

    Why: arbitrary limits break on real data (names, addresses, URLs) and changing them takes a table
    rewrite or a lock; a real rule deserves a name and a check constraint.
    Fix: use `text` (plus a check constraint if a rule exists), or document the rule:
    `COMMENT ON COLUMN <table>.<column> IS 'length-rule: ISO 4217 codes are 3 letters'`.
    """
    marker = view.options.length_rule_marker

    def wrong(column: Column) -> bool:
        return _bounded_text(column) and marker not in (column.comment or "")

    for column in _columns(view, wrong):
        new = "text" + "[]" * column.type.count("[]")
        yield Finding(
            check.id,
            f"column {column.label}",
            f"{new}, or a column comment containing {marker!r}",
            column.type + (f" (comment: {column.comment!r})" if column.comment else ""),
            _alter(column, new),
        )
