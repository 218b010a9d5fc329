"""`python -m infra roundtrip --base REF` traces while the walk upgrades, end to end (a subprocess, as CI
runs it): on a branch adding an index without CONCURRENTLY on the populated item, a type change that
rewrites it and a column drop the base ref's models still use, it fails naming each (revision and
statement, or table and column); the safe versions of the same changes pass. The report carries a
table per revision (Markdown) and the full trace (JSON); `--no-trace` leaves the safety rules out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra.migrations.data import data_findings
from infra.safety import rules
from infra.safety.oldcode import OLD_CODE
from tests.safety.branches import branch

pytestmark = [pytest.mark.safety, pytest.mark.migrations, pytest.mark.infra]
INDEX, REWRITE = rules.index_concurrently.id, rules.rewrite_under_lock.id
ROWS = 300


def roundtrip(repo: Path, live_stack, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    report, markdown = tmp_path / f"{repo.name}.json", tmp_path / f"{repo.name}.md"
    proc = subprocess.run(
        [
            sys.executable, "-m", "infra", "roundtrip",
            "--alembic-ini", str(repo / "alembic.ini"),
            "--base", "HEAD", "--models", "models.py:metadata", "--rows", str(ROWS),
            "--database-url", live_stack.endpoints.postgres_dsn(),
            "--report", str(report), "--markdown", str(markdown), "--json", *extra,
        ],
        capture_output=True, text=True, check=False, timeout=300, cwd=repo,
    )  # fmt: skip
    assert report.is_file(), proc.stderr[-2000:]
    doc = json.loads(report.read_text())
    doc["markdown"] = markdown.read_text()
    return proc.returncode, doc


def outcome(doc: dict, status: str) -> list[tuple[str, str]]:
    return [(r["check_id"], r["where"]) for r in doc["results"] if r["status"] == status]


def test_unsafe_branch_fails_naming_each_change(tmp_path, live_stack):
    code, doc = roundtrip(branch(tmp_path, "unsafe"), live_stack, tmp_path)
    failed = outcome(doc, "failed")
    assert code == 1, failed
    assert (
        INDEX,
        "revision a3, statement 4: CREATE INDEX ix_item_code ON item (code)",
    ) in failed
    assert (
        REWRITE,
        "revision a3, statement 5: ALTER TABLE item ALTER COLUMN qty TYPE BIGINT",
    ) in failed
    assert (OLD_CODE.id, "table item, column note") in failed
    (a3,) = doc["revisions"]
    statements = [s for s in a3["trace"]["statements"] if not s["bookkeeping"]]
    index = next(s for s in statements if s["sql"].startswith("CREATE INDEX"))
    assert index["revision"] == "a3" and index["rows_scanned"]["public.item"] >= ROWS
    assert {"relation": "public.item", "mode": "ShareLock", "blocks": ["writes"], "existing": True} in index[
        "locks"
    ]
    retype = next(s for s in statements if "TYPE BIGINT" in s["sql"])
    assert "public.item" in retype["rewrites"]
    assert {f["check_id"] for f in a3["safety_findings"]} >= {
        INDEX,
        REWRITE,
    }
    table = doc["markdown"].split("### revision a3", 1)[1]
    index_row = next(line for line in table.splitlines() if "CREATE INDEX" in line)
    assert "ShareLock public.item (blocks writes) | no |" in index_row and INDEX in index_row
    retype_row = next(line for line in table.splitlines() if "TYPE BIGINT" in line)
    assert "| yes |" in retype_row and f"rewrote ~{ROWS + 3}" in retype_row and REWRITE in retype_row
    password = live_stack.stack.env["POSTGRES_PASSWORD"]
    assert password and password not in json.dumps(doc), "the report must not carry the password"


def test_safe_branch_passes(tmp_path, live_stack):
    code, doc = roundtrip(branch(tmp_path, "safe"), live_stack, tmp_path)
    assert outcome(doc, "failed") == [] and code == 0
    passed = {check for check, _ in outcome(doc, "passed")}
    assert {INDEX, REWRITE, OLD_CODE.id} <= passed
    assert [r["id"] for r in doc["revisions"]] == ["a3", "a4"]
    assert "statement(s) traced in 2 upgrade(s)" in doc["walk"] and doc["volume_rows"] == ROWS
    concurrently = [s for s in doc["revisions"][0]["trace"]["statements"] if "CONCURRENTLY" in s["sql"]]
    assert concurrently and not concurrently[0]["locks"]
    assert "### revision a4" in doc["markdown"]


def test_without_trace_the_safety_rules_do_not_run(tmp_path, live_stack):
    """The counterpart: --no-trace --no-old-code is the walk alone (the unsafe changes round-trip)."""
    code, doc = roundtrip(branch(tmp_path, "unsafe"), live_stack, tmp_path, "--no-trace", "--no-old-code")
    assert not any(check.startswith("safety.") for check, _ in doc_results(doc))
    assert doc["revisions"][0]["trace"] is None and "### revision" not in doc["markdown"]
    assert code == 1 and {c for c, _ in outcome(doc, "failed")} == {data_findings.check.id}


def doc_results(doc: dict) -> list[tuple[str, str]]:
    return [(r["check_id"], r["status"]) for r in doc["results"]]
