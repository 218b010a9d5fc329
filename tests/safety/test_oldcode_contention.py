"""Negative cases for the old-code and contention checks, on the live stack.

Old code: a throwaway git repository whose base commit holds the previous release's models; the new
revision (uncommitted, as on a branch) either contracts item in three ways the old release cannot
survive, or only expands it. Contention: a revision with no lock_timeout queues behind an open
application transaction and blocks its next queries; with one, it times out cleanly.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.migrations.tree import AlembicTree
from infra.safety.contention import CONTENTION
from infra.safety.oldcode import OLD_CODE, old_code_findings
from infra.safety.run import contention_run, upgrade
from infra.stack.databases import scratch_database, with_database
from tests.safety.conftest import EXAMPLES, tree

pytestmark = [pytest.mark.safety, pytest.mark.migrations, pytest.mark.infra]
HERE = Path(__file__).parent
MIGRATION_EXAMPLES = HERE.parent / "migrations" / "examples"


def branch_repo(tmp_path: Path, change: str) -> Path:
    """A git repo: base commit = org + item and the old models; working tree adds the `change` revision."""
    repo = tmp_path / change
    (repo / "versions").mkdir(parents=True)
    shutil.copy(HERE / "oldcode" / "base_models.py", repo / "models.py")
    (repo / "alembic.ini").write_text(
        "[alembic]\n"
        f"script_location = {MIGRATION_EXAMPLES / '_env'}\n"
        f"version_locations = {MIGRATION_EXAMPLES / '_base' / 'versions'} {EXAMPLES / '_setup' / 'versions'} "
        "%(here)s/versions\npath_separator = space\n"
    )
    (repo / "versions" / "README").write_text("this branch's revisions\n")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-qm", "base")
    for revision in (HERE / "oldcode" / change).glob("*.py"):
        shutil.copy(revision, repo / "versions" / revision.name)
    return repo


def old_code(repo: Path, live_stack) -> tuple[list, list[str]]:
    endpoints = live_stack.endpoints
    with scratch_database(endpoints.postgres_dsn(), "oldcode") as name:
        url = with_database(endpoints.postgres_url(), name)
        engine = sa.create_engine(url)
        try:
            upgrade(AlembicTree(repo / "alembic.ini"), engine, "head")
        finally:
            engine.dispose()
        return old_code_findings(repo, "HEAD", "models.py:metadata", url)


@pytest.mark.negative(OLD_CODE)
def test_contracting_revision_breaks_the_old_release(tmp_path, live_stack):
    findings, tables = old_code(branch_repo(tmp_path, "breaking"), live_stack)
    assert tables == ["org", "item"]
    assert [f.where for f in findings] == [
        "table item, column note",
        "table item, column label",
        "table item, column kind",
    ]
    assert "UndefinedColumn" in findings[0].found
    assert "StringDataRightTruncation" in findings[1].found
    assert "NotNullViolation" in findings[2].found


def test_expanding_revision_keeps_the_old_release_working(tmp_path, live_stack):
    findings, tables = old_code(branch_repo(tmp_path, "compatible"), live_stack)
    assert tables == ["org", "item"] and findings == []


def contention(case: str, live_stack, hold_s: float = 3.0):
    endpoints = live_stack.endpoints
    with scratch_database(endpoints.postgres_dsn(), "contend") as name:
        engine = sa.create_engine(with_database(endpoints.postgres_url(), name))
        try:
            return contention_run(
                tree(case),
                engine,
                with_database(endpoints.postgres_dsn(), name),
                "a3",
                "a2",
                "public.item",
                50,
                hold_s,
            )
        finally:
            engine.dispose()


@pytest.mark.slow
@pytest.mark.negative(CONTENTION)
def test_no_lock_timeout_blocks_the_application(live_stack):
    result = contention("lock-timeout-missing", live_stack)
    assert result.outcome == "blocked" and result.migration_error is None
    assert all(p.queued and p.waited_s is not None and p.waited_s >= 1.0 for p in result.probes), (
        result.probes
    )
    [finding] = result.findings()
    assert finding.where == "revision a3, table public.item"


@pytest.mark.slow
def test_lock_timeout_gives_up_cleanly(live_stack):
    hold_s = 10.0
    result = contention("lock-timeout-set", live_stack, hold_s=hold_s)
    assert result.outcome == "timed out" and "lock timeout" in (result.migration_error or "")
    assert result.findings() == []
    # The application was not kept waiting for the whole hold (how much less depends on the load).
    assert all(p.waited_s is not None and p.waited_s < hold_s for p in result.probes)
