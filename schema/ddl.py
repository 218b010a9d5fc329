"""DDL that SQLAlchemy's table model cannot express, shared by the migrations and `create_all()`.

Both paths run these exact strings, so the catalog they build is the same (the drift check compares
them). No `%` and no `:name` in the SQL: `DDL()` formats `%` and `text()` binds `:name`.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")

# Never change the output of the functions below: revisions already applied depend on it (a
# downgrade must recognise what its upgrade created). Add new functions instead.
#
# Appended to the comment of an extension that the schema created, so that a downgrade to base drops
# only extensions it created and leaves alone the ones that were there before (installed by a DBA, or
# used by another application in the same database).
EXTENSION_MARKER = "[created by the orderflow schema migrations]"


def create_extension(name: str) -> str:
    """Create extension `name` unless it exists; mark it as ours when this statement created it."""
    name = _identifier(name)
    return f"""\
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = '{name}') THEN
        CREATE EXTENSION {name};
        EXECUTE 'COMMENT ON EXTENSION {name} IS ' || quote_literal(concat_ws(' ',
            (SELECT obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname = '{name}'),
            '{EXTENSION_MARKER}'));
    END IF;
END
$$"""  # noqa: S608 -- `name` is a checked identifier from our own code, not input


def drop_extension(name: str) -> str:
    """Drop extension `name` if the schema created it (see EXTENSION_MARKER); never CASCADE.

    If another object has come to depend on it since, the DROP fails and the downgrade with it:
    destroying someone else's column or index is never the right way to finish a downgrade.
    """
    name = _identifier(name)
    return f"""\
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_extension WHERE extname = '{name}'
               AND strpos(coalesce(obj_description(oid, 'pg_extension'), ''), '{EXTENSION_MARKER}') > 0)
    THEN
        DROP EXTENSION {name};
    END IF;
END
$$"""


# One trigger function for every table: keeps updated_at right for raw SQL too, not only the ORM.
# now() is the transaction's start time, as for the created_at default: a row created and updated in
# the same transaction keeps updated_at = created_at.
CREATE_SET_UPDATED_AT = """\
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$"""
DROP_SET_UPDATED_AT = "DROP FUNCTION set_updated_at()"


def updated_at_trigger_name(table: str) -> str:
    return f"trg_{_identifier(table)}_set_updated_at"


def _identifier(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not a plain lowercase SQL identifier")
    return name


def create_updated_at_trigger(table: str) -> str:
    """A BEFORE UPDATE trigger that sets `updated_at` on every updated row of `table`."""
    return (
        f"CREATE TRIGGER {updated_at_trigger_name(table)} BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
    )


def drop_updated_at_trigger(table: str) -> str:
    return f"DROP TRIGGER {updated_at_trigger_name(table)} ON {table}"
