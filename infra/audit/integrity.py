"""Integrity rules: what a failed or careless migration leaves in the catalog, whatever the names.

The migration-safety trace (infra.safety) catches both while a revision runs; these catch them in a
database as it is (the nightly audit), including leftovers of a run nobody traced.
"""

from __future__ import annotations

from collections.abc import Iterator

from infra.audit.rule import rule
from infra.audit.view import SchemaView, table_label
from infra.findings import Check, Finding


@rule("schema.index-valid")
def index_valid(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Every index is valid (`pg_index.indisvalid`).

    Why: a CREATE INDEX CONCURRENTLY that failed (duplicates, a cancelled deploy) leaves an invalid
    index: writes keep maintaining it, queries never use it, a unique one enforces nothing, and a
    retry with IF NOT EXISTS silently keeps it.
    Fix: `DROP INDEX CONCURRENTLY <index>`, fix the cause, and build it again CONCURRENTLY.
    """
    for table in view.tables:
        for index in view.indexes.get(table.key, ()):
            if not index.valid:
                yield check.finding(
                    f"index {index.name} on {table_label(table)}", "a valid index", "invalid", check.fix
                )


@rule("schema.fk-indexed")
def fk_indexed(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Every foreign key has an index whose leading columns are its referencing columns (the tenant
    key `org_id` is checked by the tenant rule, which already asks for that index).

    Why: deleting or re-keying a referenced row scans the referencing table (under a lock) when no
    index leads with the key, and joins along the key get no index either.
    Fix: `op.create_index(op.f("ix_<table>_<column>"), "<table>", ["<column>"])`, CONCURRENTLY on a
    table that holds rows.
    """
    tenant = (view.options.tenant_table, view.options.tenant_column)
    for table in view.tables:
        for fk in view.constraints_of(table, "foreign key"):
            if (fk.referred_table, fk.columns) == (tenant[0], (tenant[1],)):
                continue
            width = len(fk.columns)
            led = [
                i
                for i in view.indexes.get(table.key, ())
                if i.valid and i.predicate is None and set(i.columns[:width]) == set(fk.columns)
            ]
            if not led:
                yield check.finding(
                    f"foreign key {fk.label}",
                    f"an index led by ({', '.join(fk.columns)})",
                    "no such index",
                    check.fix,
                )
