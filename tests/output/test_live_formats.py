"""CI-native output of the commands that need a server: `trace` and `audit` reports validate against
the report schema and SARIF 2.1.0; a safety finding points at its revision file and the line of the
`op.` call that made the statement; a catalog finding carries its table and column as a logical
location."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.safety.oldcode import OLD_CODE
from infra.safety.rules import index_concurrently, rewrite_under_lock
from infra.stack.databases import scratch_database, with_database
from tests.output.formats import assert_report, assert_sarif
from tests.safety.branches import branch

pytestmark = [pytest.mark.infra, pytest.mark.safety]


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_trace_sarif_and_annotations_point_at_the_op_call(tmp_path, live_stack):
    repo = branch(tmp_path, "unsafe")
    report = tmp_path / "trace.json"
    common = ["--alembic-ini", str(repo / "alembic.ini"), "--base", "HEAD", "--models", "models.py:metadata"]
    dsn = live_stack.endpoints.postgres_dsn()
    proc = cli(
        repo,
        "trace",
        *common,
        "--rows",
        "50",
        "--database-url",
        dsn,
        "--report",
        str(report),
        "--format",
        "sarif",
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    doc = json.loads(report.read_text())
    assert_report(doc)
    sarif = json.loads(proc.stdout)
    assert_sarif(sarif)

    revision = repo / "versions" / "a3_index_retype_drop.py"
    by_rule = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    index = by_rule[index_concurrently.id]["locations"][0]["physicalLocation"]
    assert index["artifactLocation"]["uri"] == "versions/a3_index_retype_drop.py"
    assert index["region"]["startLine"] == line_of(revision, "op.create_index(")
    rewrite = by_rule[rewrite_under_lock.id]["locations"][0]["physicalLocation"]
    assert rewrite["region"]["startLine"] == line_of(revision, "op.alter_column(")
    old_code = next(r for r in doc["results"] if r["check_id"] == OLD_CODE.id and r["status"] == "failed")
    assert old_code["location"] == {"logical": "table item, column note"}
    password = live_stack.stack.env["POSTGRES_PASSWORD"]
    assert password not in proc.stdout + report.read_text()

    github = cli(repo, "trace", *common, "--rows", "50", "--database-url", dsn, "--format", "github")
    line = line_of(revision, "op.create_index(")
    assert (
        f"::error file=versions/a3_index_retype_drop.py,line={line},col=5,title={index_concurrently.id}::"
        in (github.stdout)
    )


def test_audit_json_and_sarif_carry_logical_locations(tmp_path, live_stack):
    endpoints = live_stack.endpoints
    with scratch_database(endpoints.postgres_dsn(), "legacy") as name:
        engine = sa.create_engine(with_database(endpoints.postgres_url(), name), poolclass=sa.pool.NullPool)
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE orders (id serial PRIMARY KEY, payload json)"))
        engine.dispose()
        dsn = with_database(endpoints.postgres_dsn(), name)
        report = tmp_path / "audit.json"
        proc = cli(Path.cwd(), "audit", "--database-url", dsn, "--report", str(report), "--format", "sarif")
    assert proc.returncode == 1, proc.stderr[-2000:]
    doc = json.loads(report.read_text())
    assert_report(doc)
    failed = [r for r in doc["results"] if r["status"] == "failed"]
    assert failed and all(r["location"] == {"logical": r["where"]} for r in failed)
    sarif = json.loads(proc.stdout)
    assert_sarif(sarif)
    results = sarif["runs"][0]["results"]
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in results} >= {
        r["where"] for r in failed
    }
