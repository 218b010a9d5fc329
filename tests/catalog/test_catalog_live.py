"""infra.catalog on a live PostgreSQL: the diff catches each kind of change; equal DDL, equal snapshots."""

from __future__ import annotations

import importlib
import statistics
import time
from typing import NamedTuple

import psycopg
import pytest
import sqlalchemy as sa

from infra.catalog import CatalogSnapshot, diff, snapshot

pytestmark = [pytest.mark.infra]


class Case(NamedTuple):
    """One change applied on top of base.sql, and what the diff must say about it."""

    name: str
    kind: str
    label: str
    action: str
    field: str | None  # the changed field, for "changed"
    sql: str


UPDATED_AT_BODY = "BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END"
# fmt: off
CHANGES = [
    Case("dropped constraint", "constraint", "ck_order_line_quantity_positive on order_line", "removed", None,
         "ALTER TABLE order_line DROP CONSTRAINT ck_order_line_quantity_positive"),
    Case("changed default", "column", "org.settings", "changed", "default",
         """ALTER TABLE org ALTER COLUMN settings SET DEFAULT '{"plan": "free"}'"""),
    Case("changed index WHERE", "index", "ix_org_slug_active", "changed", "predicate",
         "DROP INDEX ix_org_slug_active; "
         "CREATE INDEX ix_org_slug_active ON org (slug) INCLUDE (name) WHERE settings ? 'enabled'"),
    Case("changed index INCLUDE", "index", "ix_org_slug_active", "changed", "include",
         "DROP INDEX ix_org_slug_active; "
         "CREATE INDEX ix_org_slug_active ON org (slug) INCLUDE (name, created_at) "
         "WHERE settings ? 'active'"),
    Case("changed index method", "index", "ix_org_name_trgm", "changed", "method",
         "DROP INDEX ix_org_name_trgm; CREATE INDEX ix_org_name_trgm ON org USING gist (name gist_trgm_ops)"),
    Case("added extension", "extension", "btree_gist", "added", None, "CREATE EXTENSION btree_gist"),
    Case("changed function body", "function", "set_updated_at()", "changed", "body_md5",
         "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql "
         f"AS $$ {UPDATED_AT_BODY} $$"),
    Case("changed function volatility", "function", "set_updated_at()", "changed", "volatility",
         "ALTER FUNCTION set_updated_at() STABLE"),
    Case("changed trigger", "trigger", "trg_org_set_updated_at on org", "changed", "definition",
         "DROP TRIGGER trg_org_set_updated_at ON org; CREATE TRIGGER trg_org_set_updated_at "
         "BEFORE UPDATE OF name ON org FOR EACH ROW EXECUTE FUNCTION set_updated_at()"),
    Case("enum label order", "type", "priority", "changed", "labels",
         "DROP TYPE priority; CREATE TYPE priority AS ENUM ('high', 'low')"),
    Case("enum label added", "type", "order_status", "changed", "labels",
         "ALTER TYPE order_status ADD VALUE 'cancelled' BEFORE 'shipped'"),
    Case("comment", "column", "org.name", "changed", "comment",
         "COMMENT ON COLUMN org.name IS 'display name'"),
    Case("table comment removed", "table", "org", "changed", "comment", "COMMENT ON TABLE org IS NULL"),
    # Comments of every other kind: read from pg_description directly, not through obj_description().
    Case("constraint comment", "constraint", "ck_order_line_quantity_positive on order_line", "changed",
         "comment", "COMMENT ON CONSTRAINT ck_order_line_quantity_positive ON order_line IS 'why'"),
    Case("index comment", "index", "ix_order_line_org_id", "changed", "comment",
         "COMMENT ON INDEX ix_order_line_org_id IS 'why'"),
    Case("trigger comment", "trigger", "trg_org_set_updated_at on org", "changed", "comment",
         "COMMENT ON TRIGGER trg_org_set_updated_at ON org IS 'why'"),
    Case("sequence comment", "sequence", "invoice_number_seq", "changed", "comment",
         "COMMENT ON SEQUENCE invoice_number_seq IS 'why'"),
    Case("type comment", "type", "priority", "changed", "comment", "COMMENT ON TYPE priority IS 'why'"),
    Case("function comment", "function", "set_updated_at()", "changed", "comment",
         "COMMENT ON FUNCTION set_updated_at() IS 'why'"),
    Case("view comment", "view", "org_summary", "changed", "comment", "COMMENT ON VIEW org_summary IS 'why'"),
    Case("schema comment", "schema", "public", "changed", "comment", "COMMENT ON SCHEMA public IS 'why'"),
    Case("extension comment", "extension", "pg_trgm", "changed", "comment",
         "COMMENT ON EXTENSION pg_trgm IS 'why'"),
    Case("domain constraint comment", "constraint", "positive_cents_check on domain positive_cents",
         "changed", "comment",
         "COMMENT ON CONSTRAINT positive_cents_check ON DOMAIN positive_cents IS 'why'"),
    Case("grant", "table", "org", "changed", "acl", "GRANT SELECT ON org TO PUBLIC"),
    Case("function grant", "function", "set_updated_at()", "changed", "acl",
         "REVOKE EXECUTE ON FUNCTION set_updated_at() FROM PUBLIC"),
    Case("sequence increment", "sequence", "invoice_number_seq", "changed", "increment",
         "ALTER SEQUENCE invoice_number_seq INCREMENT 10"),
    Case("view definition", "view", "org_summary", "changed", "definition",
         "CREATE OR REPLACE VIEW org_summary AS SELECT id, name, slug FROM org"),
    Case("dropped materialized view", "view", "order_total", "removed", None,
         "DROP MATERIALIZED VIEW order_total"),
    Case("dropped column", "column", "order_line.note", "removed", None,
         "ALTER TABLE order_line DROP COLUMN note"),
    Case("column type", "column", "order_line.note", "changed", "type",
         "ALTER TABLE order_line ALTER COLUMN note TYPE varchar(200)"),
    Case("nullability", "column", "order_line.note", "changed", "not_null",
         "ALTER TABLE order_line ALTER COLUMN note SET NOT NULL"),
    Case("collation", "column", "order_line.note", "changed", "collation",
         'ALTER TABLE order_line ALTER COLUMN note TYPE text COLLATE "POSIX"'),
    Case("identity", "column", "order_line.id", "changed", "identity",
         "ALTER TABLE order_line ALTER COLUMN id SET GENERATED BY DEFAULT"),
    Case("foreign key action", "constraint", "fk_order_line_org_id_org on order_line",
         "changed", "definition",
         "ALTER TABLE order_line DROP CONSTRAINT fk_order_line_org_id_org, ADD CONSTRAINT "
         "fk_order_line_org_id_org FOREIGN KEY (org_id) REFERENCES org (id)"),
    Case("domain constraint", "constraint", "positive_cents_check on domain positive_cents", "removed", None,
         "ALTER DOMAIN positive_cents DROP CONSTRAINT positive_cents_check"),
    Case("policy", "policy", "tenant_isolation on order_line", "changed", "using",
         "ALTER POLICY tenant_isolation ON order_line USING (true)"),
    Case("row level security", "table", "order_line", "changed", "row_security",
         "ALTER TABLE order_line DISABLE ROW LEVEL SECURITY"),
    Case("added table", "table", "note", "added", None, "CREATE TABLE note (id uuid PRIMARY KEY)"),
]
# fmt: on


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CHANGES])
def test_the_diff_catches_each_kind_of_change(base_conn, case):
    before = snapshot(base_conn)
    base_conn.execute(case.sql)
    changes = diff(before, snapshot(base_conn))
    rendered = changes.render()
    match = [c for c in changes if (c.kind, c.label, c.action) == (case.kind, case.label, case.action)]
    assert match, f"expected {case.action} {case.kind} {case.label}; the diff was:\n{rendered}"
    if case.field is not None:
        assert case.field in {f.field for f in match[0].fields}, rendered
    assert f"{case.kind} {case.label}" in rendered


def test_a_dropped_index_renders_with_its_definition(base_conn):
    before = snapshot(base_conn)
    base_conn.execute("DROP INDEX ix_org_name_trgm")
    rendered = diff(before, snapshot(base_conn)).render()
    assert rendered == (
        "- index ix_org_name_trgm: CREATE INDEX ix_org_name_trgm ON public.org USING gin (name gin_trgm_ops)"
    )


def test_two_databases_built_from_the_same_ddl_give_identical_snapshots(
    base_dsn, other_scratch_dsn, run_sql, base_sql
):
    run_sql(other_scratch_dsn, base_sql)
    first, second = snapshot(base_dsn), snapshot(other_scratch_dsn)
    assert not diff(first, second), diff(first, second).render()
    assert first == second
    assert first.to_json() == second.to_json()
    assert CatalogSnapshot.from_json(first.to_json()) == first


def test_the_snapshot_covers_the_base_schema_and_leaves_out_what_it_should(base_dsn):
    snap = snapshot(base_dsn)
    assert {t.label for t in snap.tables} == {"org", "order_line"}  # alembic_version excluded
    assert not [c for c in snap.columns if c.table == "alembic_version"]
    assert not [i for i in snap.indexes if i.table == "alembic_version"]
    assert {f.label for f in snap.functions} == {"set_updated_at()"}  # pg_trgm's own are the extension's
    assert {e.name for e in snap.extensions} >= {"pg_trgm", "plpgsql"}
    assert {v.label: v.materialized for v in snap.views} == {"org_summary": False, "order_total": True}
    assert {s.label: s.owned_by for s in snap.sequences} == {
        "invoice_number_seq": None,
        "order_line_id_seq": "order_line.id",
    }
    total = next(c for c in snap.columns if c.label == "order_line.total")
    assert (total.generated, total.default) == ("((quantity * (price)::bigint)) STORED", None)
    index = next(i for i in snap.indexes if i.name == "ix_org_slug_active")
    assert (index.columns, index.include) == (("slug",), ("name",))
    assert index.predicate == "(settings ? 'active'::text)"
    assert snapshot(base_dsn, exclude_tables=()).tables[0].name == "alembic_version"


def test_owners_are_compared_only_when_asked(base_dsn):
    user = psycopg.conninfo.conninfo_to_dict(base_dsn)["user"]
    plain, with_owners = snapshot(base_dsn), snapshot(base_dsn, include_owners=True)
    org = next(t for t in plain.tables if t.name == "org")
    assert org.owner is None
    assert any(item.startswith("(owner)=arwdDxt") for item in org.acl), org.acl
    org = next(t for t in with_owners.tables if t.name == "org")
    assert org.owner == user and any(item.startswith(f"{user}=") for item in org.acl)


def test_granted_then_revoked_reads_as_never_granted(base_conn):
    before = snapshot(base_conn)
    base_conn.execute("GRANT SELECT ON org TO PUBLIC; REVOKE SELECT ON org FROM PUBLIC")
    assert not diff(before, snapshot(base_conn))


def test_every_kind_of_connection_gives_the_same_snapshot(base_dsn):
    expected = snapshot(base_dsn)
    url = base_dsn.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        assert snapshot(engine) == expected
        assert snapshot(url) == expected
        with engine.connect() as conn:
            assert snapshot(conn) == expected  # outside a transaction
            assert snapshot(conn) == expected  # inside the transaction the first call began
        with psycopg.connect(base_dsn, autocommit=True) as conn:
            assert snapshot(conn) == expected
    finally:
        engine.dispose()


def test_uncommitted_ddl_on_the_callers_connection_shows(scratch_database_url):
    engine = sa.create_engine(scratch_database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE TABLE draft (id uuid PRIMARY KEY)"))
            assert [t.name for t in snapshot(conn).tables] == ["draft"]
            conn.rollback()
            assert snapshot(conn).tables == ()
    finally:
        engine.dispose()


def test_a_snapshot_takes_tens_of_milliseconds(base_dsn):
    """One query; the time is printed (`-s`) and must stay far below anything a person would notice."""
    with psycopg.connect(base_dsn) as conn:
        snapshot(conn)  # warm the backend's catalog caches
        times = []
        for _ in range(10):
            started = time.perf_counter()
            snapshot(conn)
            times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"catalog snapshot of base.sql: median {median * 1000:.1f} ms, best {min(times) * 1000:.1f} ms")
    assert median < 0.5, f"median {median * 1000:.0f} ms over 10 snapshots"


def test_objects_built_from_cached_text_equal_a_fresh_build(base_conn):
    """Snapshots reuse the objects built from the same text before: after one change to one object of a
    table nothing else touched (a column's comment), the cached snapshot shows exactly that change and
    equals a snapshot built with an empty cache."""
    before = snapshot(base_conn)
    base_conn.execute("COMMENT ON COLUMN order_line.note IS 'changed alone'")
    cached = snapshot(base_conn)
    assert [f"{c.action} {c.kind} {c.label}" for c in diff(before, cached)] == [
        "changed column order_line.note"
    ]
    importlib.import_module("infra.catalog.snapshot").clear_cache()
    assert snapshot(base_conn) == cached
