"""Shape rules: the uuid primary key, the timestamps, and the tenant column every table carries."""

from __future__ import annotations

import re
from collections.abc import Iterator

from infra.audit.naming import pg_truncate
from infra.audit.rule import rule
from infra.audit.view import SchemaView, table_label
from infra.catalog import Column, Table
from infra.findings import Check, Finding

TIMESTAMPTZ = "timestamp with time zone"


@rule("schema.pk-uuid-id")
def pk_uuid_id(check: Check, view: SchemaView) -> Iterator[Finding]:
    """The primary key is one column, `id uuid`, with a server default (`gen_random_uuid()`).

    Why: ids that are safe to expose, merge and generate anywhere, with no sequence contention; `serial`
    and `bigint` keys leak row counts and collide across databases.
    Fix: replace the key with `id uuid PRIMARY KEY DEFAULT gen_random_uuid()` in a migration.
    """
    uuid_defaults = view.options.uuid_defaults
    expected = f"primary key (id) with id uuid NOT NULL DEFAULT {' or '.join(uuid_defaults)}"
    for table in view.tables:
        where = f"table {table_label(table)}"
        keys = view.constraints_of(table, "primary key")
        if not keys:
            yield Finding(check.id, where, expected, "no primary key", "add `id uuid PRIMARY KEY`")
            continue
        key = keys[0]
        if key.columns != ("id",):
            found = f"primary key {key.name} on ({', '.join(key.columns)})"
            yield Finding(check.id, where, expected, found, "make `id` alone the primary key")
            continue
        column = view.column(table, "id")
        if column is not None and (column.type != "uuid" or column.default not in uuid_defaults):
            yield Finding(
                check.id,
                f"column {column.label}",
                expected,
                f"id {column.summary()}",
                "ALTER COLUMN id TYPE uuid with a new key, DEFAULT gen_random_uuid()",
            )


def _timestamp_ok(column: Column, view: SchemaView) -> bool:
    return (
        column.type == TIMESTAMPTZ and column.not_null and column.default in view.options.timestamp_defaults
    )


def _updated_at_trigger_findings(check: Check, view: SchemaView, table: Table) -> Iterator[Finding]:
    function = view.options.updated_at_function
    pattern = re.compile(
        rf"BEFORE UPDATE .*FOR EACH ROW .*EXECUTE (FUNCTION|PROCEDURE) (\S+\.)?{re.escape(function)}\(\)"
    )
    triggers = [t for t in view.triggers.get(table.key, ()) if pattern.search(t.definition)]
    template = view.options.updated_at_trigger
    name = pg_truncate(template.format(table=table.name)) if template else None
    if not triggers:
        yield Finding(
            check.id,
            f"table {table_label(table)}",
            f"a BEFORE UPDATE ... FOR EACH ROW trigger executing {function}()",
            "no such trigger: updated_at goes stale on UPDATE",
            f"CREATE TRIGGER {name or 'trg_' + table.name} BEFORE UPDATE ON {table_label(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        )
    elif name is not None and name not in {t.name for t in triggers}:
        yield Finding(
            check.id,
            f"trigger {triggers[0].label}",
            f"the {function}() trigger named {name}",
            repr(triggers[0].name),
            f"ALTER TRIGGER {triggers[0].name} ON {table_label(table)} RENAME TO {name}",
        )


@rule("schema.timestamps")
def timestamps(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Every table has `created_at` and `updated_at`, `timestamptz NOT NULL DEFAULT now()`, and a
    BEFORE UPDATE trigger `trg_<table>_set_updated_at` calling `set_updated_at()` keeps `updated_at`
    current.

    Why: every row answers "when" for support, audits and sync; the trigger keeps `updated_at` right
    for raw SQL too, not only for the ORM.
    Fix: add the columns (`timestamptz NOT NULL DEFAULT now()`) and
    `CREATE TRIGGER trg_<table>_set_updated_at BEFORE UPDATE ON <table> FOR EACH ROW EXECUTE FUNCTION
    set_updated_at()`.
    """
    expected = f"{TIMESTAMPTZ} NOT NULL DEFAULT now()"
    for table in view.tables:
        for name in ("created_at", "updated_at"):
            column = view.column(table, name)
            if column is None:
                where = f"table {table_label(table)}"
                yield Finding(check.id, where, f"{name} {expected}", f"no {name} column", "")
            elif not _timestamp_ok(column, view):
                yield Finding(
                    check.id,
                    f"column {column.label}",
                    f"{name} {expected}",
                    f"{name} {column.summary()}",
                    f"ALTER TABLE {table_label(table)} ALTER COLUMN {name} ...",
                )
        if view.column(table, "updated_at") is not None:
            yield from _updated_at_trigger_findings(check, view, table)


@rule("schema.tenant-org-id")
def tenant_org_id(check: Check, view: SchemaView) -> Iterator[Finding]:
    """Every table except `org` has `org_id uuid NOT NULL`, a foreign key from `org_id` to `org(id)`,
    and an index whose first column is `org_id`.

    Why: tenant isolation: every query filters by org_id, so it must exist, always be set, point at a
    real tenant, and be fast to filter on (an index led by org_id; one led by another column does not
    serve `WHERE org_id = ...`).
    Fix: add the column, `FOREIGN KEY (org_id) REFERENCES org(id)` and an index starting with org_id
    (for example `ix_<table>_org_id`).
    """
    anchor, name = view.options.tenant_table, view.options.tenant_column
    for table in view.tables:
        if table.name == anchor:
            continue
        where = f"table {table_label(table)}"
        column = view.column(table, name)
        if column is None:
            yield Finding(check.id, where, f"{name} uuid NOT NULL", f"no {name} column", "add the column")
            continue
        if column.type != "uuid" or not column.not_null:
            yield Finding(
                check.id,
                f"column {column.label}",
                f"{name} uuid NOT NULL",
                f"{name} {column.summary()}",
                "backfill, then ALTER COLUMN ... SET NOT NULL",
            )
        foreign_keys = [c for c in view.constraints_of(table, "foreign key") if c.columns == (name,)]
        if not any(c.referred_table == anchor and c.referred_columns == ("id",) for c in foreign_keys):
            found = "; ".join(f"{c.name}: {c.definition}" for c in foreign_keys) or "none"
            yield Finding(
                check.id,
                where,
                f"a foreign key ({name}) REFERENCES {anchor}(id)",
                f"foreign keys on {name}: {found}",
                f"ALTER TABLE {table_label(table)} ADD CONSTRAINT fk_{table.name}_{name}_{anchor} "
                f"FOREIGN KEY ({name}) REFERENCES {anchor}(id)",
            )
        indexes = view.indexes.get(table.key, ())
        if not any(i.columns[:1] == (name,) for i in indexes):
            found = ", ".join(
                f"{i.name} ({', '.join(c or 'expression' for c in i.columns)})" for i in indexes
            )
            yield Finding(
                check.id,
                where,
                f"an index whose first column is {name}",
                f"indexes: {found or 'none'}",
                f"CREATE INDEX ix_{table.name}_{name} ON {table_label(table)} ({name})",
            )
