"""`python -m infra trace --base REF` on a branch, end to end (a subprocess, as CI runs it): the base
commit holds org and item with the release's models; the branch adds an index without CONCURRENTLY
on the populated table, a type change that rewrites it and a column drop the base models still use,
and must fail naming each; the safe versions of the same changes pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.safety.branches import branch

pytestmark = [pytest.mark.safety, pytest.mark.migrations, pytest.mark.infra]


def trace(repo: Path, live_stack, tmp_path: Path) -> tuple[int, dict]:
    report, markdown = tmp_path / f"{repo.name}.json", tmp_path / f"{repo.name}.md"
    proc = subprocess.run(
        [
            sys.executable, "-m", "infra", "trace",
            "--alembic-ini", str(repo / "alembic.ini"),
            "--base", "HEAD", "--models", "models.py:metadata", "--rows", "500",
            "--database-url", live_stack.endpoints.postgres_dsn(),
            "--report", str(report), "--markdown", str(markdown), "--json",
        ],
        capture_output=True, text=True, check=False, timeout=300, cwd=repo,
    )  # fmt: skip
    assert report.is_file(), proc.stderr[-2000:]
    doc = json.loads(report.read_text())
    doc["markdown"] = markdown.read_text()
    return proc.returncode, doc


def failed(doc: dict) -> list[tuple[str, str]]:
    return [(r["check_id"].partition(".")[2], r["where"]) for r in doc["results"] if r["status"] == "failed"]


def test_unsafe_branch_fails_naming_each_change(tmp_path, live_stack):
    code, doc = trace(branch(tmp_path, "unsafe"), live_stack, tmp_path)
    assert code == 1 and doc["start"] == "a2" and doc["seeded"]["rows"] == {"org": 500, "item": 500}
    problems = failed(doc)
    assert (
        "index-concurrently",
        "revision a3, statement 4: CREATE INDEX ix_item_code ON item (code)",
    ) in problems
    assert any(name == "rewrite-under-lock" and "TYPE BIGINT" in where for name, where in problems), problems
    assert ("old-code-compatible", "table item, column note") in problems
    table = doc["markdown"].split("### revision a3", 1)[1]
    index_row = next(line for line in table.splitlines() if "CREATE INDEX" in line)
    assert "ShareLock public.item (blocks writes)" in index_row and "| no |" in index_row
    assert "scanned 500" in index_row
    assert any("TYPE BIGINT" in line and "| yes |" in line for line in table.splitlines())
    password = live_stack.stack.env["POSTGRES_PASSWORD"]
    assert password and password not in json.dumps(doc), "the report must not carry the password"


def test_safe_branch_passes(tmp_path, live_stack):
    code, doc = trace(branch(tmp_path, "safe"), live_stack, tmp_path)
    assert failed(doc) == [] and code == 0
    statements = [s["sql"] for s in doc["trace"]["statements"] if not s["bookkeeping"]]
    assert any("CONCURRENTLY" in s for s in statements)
