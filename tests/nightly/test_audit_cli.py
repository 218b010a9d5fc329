"""`python -m infra audit`: the nightly entry point, on real databases with and without violations."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from infra.audit.column_types import jsonb_not_json, timestamptz_not_timestamp
from infra.audit.names import column_names, table_names
from infra.audit.shape import pk_uuid_id, tenant_org_id
from infra.cli import main
from infra.stack.databases import scratch_database, with_database

pytestmark = [pytest.mark.audit, pytest.mark.infra]

LEGACY = """
CREATE TABLE orders (id serial PRIMARY KEY, "createdAt" timestamp, payload json);
"""


@pytest.fixture
def legacy_db(live_stack):
    """A database with violations (a plural table, serial key, camelCase, timestamp, json, no org_id)."""
    endpoints = live_stack.endpoints
    with scratch_database(endpoints.postgres_dsn(), "legacy") as name:
        engine = sa.create_engine(with_database(endpoints.postgres_url(), name), poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text(LEGACY))
        yield engine, with_database(endpoints.postgres_dsn(), name)
        engine.dispose()


def audit(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(["audit", *argv])
    out = capsys.readouterr()
    doc = json.loads(out.out) if out.out.lstrip().startswith("{") else {}
    return code, doc, out.err + out.out


def failing(doc: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in doc["results"]:
        if r["status"] == "failed":
            found.setdefault(r["check_id"], []).append(r["where"])
    return found


def test_clean_schema_migrated_to_head_passes(live_stack, capsys, tmp_path):
    report, md = tmp_path / "audit.json", tmp_path / "audit.md"
    code, doc, _ = audit(
        capsys,
        "--migrate",
        "--database-url",
        live_stack.endpoints.postgres_dsn(),
        "--json",
        "--report",
        str(report),
        "--markdown",
        str(md),
    )
    assert code == 0, failing(doc)
    assert json.loads(report.read_text())["status"] == "passed"
    assert md.read_text().startswith("## orderflow audit: passed")


def test_violations_fail_naming_rule_and_object(legacy_db, capsys, tmp_path):
    _, dsn = legacy_db
    md = tmp_path / "audit.md"
    code, doc, _ = audit(capsys, "--database-url", dsn, "--json", "--markdown", str(md))
    assert code == 1
    found = failing(doc)
    assert {
        table_names.id,
        pk_uuid_id.id,
        column_names.id,
        jsonb_not_json.id,
        timestamptz_not_timestamp.id,
        tenant_org_id.id,
    } <= set(found)
    assert any("orders" in where for where in found[table_names.id])
    assert doc["counts"][jsonb_not_json.id] == 1
    text = md.read_text()
    assert f"`{jsonb_not_json.id}`" in text and "Fix:" in text  # the rule's why and how to fix
    assert "password" not in json.dumps(doc).lower() or "***" in json.dumps(doc)


def test_baseline_absorbs_known_violations_and_fails_on_new(legacy_db, capsys, tmp_path):
    engine, dsn = legacy_db
    baseline = tmp_path / "baseline.json"
    code, _, out = audit(capsys, "--database-url", dsn, "--write-baseline", str(baseline))
    assert code == 0 and "known violation(s)" in out
    code, doc, _ = audit(capsys, "--database-url", dsn, "--baseline", str(baseline), "--json")
    assert code == 0, failing(doc)
    assert doc["baseline"]["new"] == 0 and doc["baseline"]["known"] > 0
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE invoice_lines (id uuid PRIMARY KEY, note varchar(20))"))
    code, doc, _ = audit(capsys, "--database-url", dsn, "--baseline", str(baseline), "--json")
    assert code == 1
    new = [w for ws in failing(doc).values() for w in ws]
    assert new and all("invoice_lines" in w for w in new)


def test_a_baseline_that_is_not_ours_is_one_line(legacy_db, capsys, tmp_path):
    _, dsn = legacy_db
    other = tmp_path / "package.json"
    other.write_text('{"name": "something else"}')
    code, _, out = audit(capsys, "--database-url", dsn, "--baseline", str(other))
    assert code == 1
    assert out.strip().splitlines()[-1].startswith(f"error: {other} is not an audit baseline")


def test_unreachable_database_is_one_line(capsys):
    code, _, out = audit(capsys, "--database-url", "postgresql://u:hidden-pw@127.0.0.1:1/db")
    assert code == 1
    line = out.strip().splitlines()[-1]
    assert line.startswith("error: cannot connect to postgresql+psycopg://u:***@127.0.0.1:1/db")
    assert "hidden-pw" not in out


def test_the_audit_writes_nothing(legacy_db, capsys):
    """Run against a database as it is, the audit reads in a read-only transaction."""
    engine, dsn = legacy_db
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM pg_class")).scalar()
    audit(capsys, "--database-url", dsn)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pg_class")).scalar() == before
