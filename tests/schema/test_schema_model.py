"""The Org model and its metadata, without a database: names, types, defaults, write validation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from schema.ddl import create_extension, drop_extension, updated_at_trigger_name
from schema.migrate import alembic_config
from schema.models import NAMING_CONVENTION, Org, metadata
from schema.settings import InvalidSettings
from schema.slug import SLUG_CHECK_SQL, InvalidSlug

pytestmark = pytest.mark.schema
ORG: sa.Table = Org.__table__  # type: ignore[assignment]


def compiled(element: sa.schema.ExecutableDDLElement) -> str:
    return str(element.compile(dialect=postgresql.dialect()))


def test_metadata_is_the_models():
    assert set(metadata.tables) == {"org"}
    assert dict(metadata.naming_convention) == NAMING_CONVENTION


def test_org_columns():
    columns = {c.name: (compiled_type(c), c.nullable, server_default(c)) for c in ORG.columns}
    assert columns == {
        "id": ("UUID", False, "gen_random_uuid()"),
        "name": ("TEXT", False, None),
        "slug": ("TEXT", False, None),
        "settings": ("JSONB", False, "'{}'::jsonb"),
        "created_at": ("TIMESTAMP WITH TIME ZONE", False, "now()"),
        "updated_at": ("TIMESTAMP WITH TIME ZONE", False, "now()"),
    }
    assert [c.name for c in ORG.primary_key] == ["id"]


def compiled_type(column: sa.Column[object]) -> str:
    return column.type.compile(dialect=postgresql.dialect())


def server_default(column: sa.Column[object]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    assert isinstance(default, sa.DefaultClause)
    assert isinstance(default.arg, sa.ClauseElement)
    return str(default.arg.compile(dialect=postgresql.dialect()))


def test_org_constraint_and_index_names_follow_the_convention():
    ddl = compiled(CreateTable(ORG))
    for name in ("pk_org", "uq_org_slug", "ck_org_slug_format", "ck_org_settings_is_object"):
        assert f"CONSTRAINT {name} " in ddl
    (index,) = ORG.indexes
    assert compiled(CreateIndex(index)) == "CREATE INDEX ix_org_name ON org USING gin (name gin_trgm_ops)"


def test_model_and_revision_0001_spell_the_slug_rule_the_same():
    """The revision writes the rule out (it is history); the drift check compares catalogs, this
    catches the difference before any database is involved."""
    script = ScriptDirectory.from_config(alembic_config())
    module = script.get_revision("0001").module
    assert module.SLUG_CHECK == SLUG_CHECK_SQL
    assert script.get_heads() == ["0001"]


def test_org_validates_slug_on_write():
    with pytest.raises(InvalidSlug, match="org slug 'Not A Slug' is invalid"):
        Org(name="Acme", slug="Not A Slug")
    org = Org(name="Acme", slug="acme")
    with pytest.raises(InvalidSlug, match="'-acme'"):
        org.slug = "-acme"
    assert org.slug == "acme"


def test_org_validates_settings_on_write():
    with pytest.raises(InvalidSettings, match=r"settings\.currency"):
        Org(name="Acme", slug="acme", settings={"currency": "euro"})
    org = Org(name="Acme", slug="acme", settings={"currency": "EUR"})
    with pytest.raises(InvalidSettings, match="must be a JSON object"):
        org.settings = ["EUR"]  # type: ignore[assignment]
    assert org.settings == {"currency": "EUR"}


def test_extension_ddl_is_guarded_and_never_cascades():
    create, drop = create_extension("pg_trgm"), drop_extension("pg_trgm")
    assert "IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_trgm')" in create
    assert "CASCADE" not in drop
    assert "DROP EXTENSION pg_trgm;" in drop
    for sql in (create, drop):
        assert "%" not in sql  # DDL() would treat it as a format placeholder


@pytest.mark.parametrize("name", ["Pg_Trgm", "x; DROP TABLE org", "", "a-b"])
def test_ddl_renderers_take_plain_identifiers_only(name):
    with pytest.raises(ValueError, match="plain lowercase SQL identifier"):
        create_extension(name)
    with pytest.raises(ValueError, match="plain lowercase SQL identifier"):
        updated_at_trigger_name(name)
