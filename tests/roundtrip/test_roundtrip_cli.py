"""`python -m infra roundtrip --base REF`: the pre-merge check, end to end on a live PostgreSQL."""

from __future__ import annotations

import json

import pytest

from infra.cli import main
from infra.migrations import history
from infra.migrations.checks import single_head_findings
from infra.migrations.data import data_findings
from infra.migrations.history import rewritten_findings
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP

pytestmark = [pytest.mark.migrations, pytest.mark.infra]


def roundtrip(tree_repo, live_stack, capsys, base: str = "main", *extra: str) -> tuple[int, dict, str]:
    code = main(
        [
            "roundtrip",
            "--base",
            base,
            "--alembic-ini",
            str(tree_repo.ini),
            "--database-url",
            live_stack.endpoints.postgres_dsn(),
            "--json",
            *extra,
        ]
    )
    out = capsys.readouterr()
    return code, json.loads(out.out) if out.out.strip().startswith("{") else {}, out.err


def failed(report: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for r in report["results"]:
        if r["status"] == "failed":
            found.setdefault(r["check_id"], []).append(r)
    return found


def test_clean_new_revision_passes_with_timings(tree_repo, live_stack, capsys):
    tree_repo.add_revision("valid", "a2_add_note.py")
    # a2 builds an index and a CHECK the blocking way: the trace's business (tests/safety), not this test's
    code, report, _ = roundtrip(tree_repo, live_stack, capsys, "main", "--no-trace")
    assert code == 0, [r for r in report["results"] if r["status"] != "passed"]
    assert report["kind"] == "roundtrip" and report["status"] == "passed"
    assert (report["base_head"], report["head"]) == ("a1", "a2")
    [timing] = report["revisions"]
    assert timing["id"] == "a2" and timing["upgrade_s"] > 0 and timing["downgrade_s"] > 0
    assert live_stack.stack.env["POSTGRES_PASSWORD"] not in json.dumps(report)


def test_no_new_revisions_passes_and_says_so(tree_repo, live_stack, capsys):
    code, report, _ = roundtrip(tree_repo, live_stack, capsys)
    assert code == 0
    assert any("no new revisions since main" in r["message"] for r in report["results"])


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_branch_whose_downgrade_does_nothing_fails_with_the_diff(tree_repo, live_stack, capsys):
    tree_repo.add_revision("downgrade-pass", "a2_add_note.py")
    code, report, _ = roundtrip(tree_repo, live_stack, capsys)
    assert code == 1
    [problem] = failed(report)[STEPWISE_ROUNDTRIP.id]
    assert problem["where"] == "revision a2 (downgrade to a1)"  # the revision at fault, with the diff
    assert "+ column org.note" in problem["message"]
    assert report["revisions"][0]["status"] == "downgrade leaves the catalog changed"


@pytest.mark.negative(data_findings.check)
def test_branch_that_rewrites_rows_fails(tree_repo, live_stack, capsys):
    tree_repo.add_revision("data-loss", "a2_add_note.py")
    code, report, _ = roundtrip(tree_repo, live_stack, capsys)
    assert code == 1
    assert "table org" in failed(report)[data_findings.id][0]["where"]


@pytest.mark.negative(rewritten_findings.check)
def test_edited_merged_revision_fails_naming_it(tree_repo, live_stack, capsys):
    path = tree_repo.versions / "a1_create_org.py"
    path.write_text(path.read_text().replace('"Create org with a unique slug."', '"Edited after merge."'))
    code, report, _ = roundtrip(tree_repo, live_stack, capsys)
    assert code == 1
    [problem] = failed(report)[rewritten_findings.id]
    assert problem["where"] == "revision a1 (a1_create_org.py)" and "edited" in problem["message"]


@pytest.mark.negative(rewritten_findings.check)
def test_deleted_merged_revision_fails():
    base = {"a1": history.RevisionFile("a1", (), "x", "a1.py")}
    [problem] = history.rewritten_findings(base, {}, "main")
    assert (problem.where, problem.found) == ("revision a1", "deleted")


@pytest.mark.negative(single_head_findings.check)
def test_branch_with_two_heads_fails_naming_them(tree_repo, live_stack, capsys):
    tree_repo.add_revision("valid", "a2_add_note.py")
    tree_repo.add_revision("two-heads", "b3_branch.py")
    tree_repo.add_revision("two-heads", "c3_branch.py")
    code, report, _ = roundtrip(tree_repo, live_stack, capsys)
    assert code == 1
    assert failed(report)[single_head_findings.id][0]["message"].endswith("found 2 heads: b3, c3")


def test_missing_base_ref_is_one_line(tree_repo, live_stack, capsys):
    code, _, err = roundtrip(tree_repo, live_stack, capsys, base="origin/nope")
    assert code == 1
    assert err.strip() == (
        f"error: git ref 'origin/nope' does not exist in {tree_repo.root}. "
        "Hint: fetch it first (e.g. `git fetch origin main`) or pass another --base"
    )


def test_unreachable_database_is_one_line(tree_repo, capsys):
    tree_repo.add_revision("valid", "a2_add_note.py")
    code = main(
        [
            "roundtrip",
            "--base",
            "main",
            "--alembic-ini",
            str(tree_repo.ini),
            "--database-url",
            "postgresql://u:secret-pw@127.0.0.1:1/db",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("error: cannot connect to PostgreSQL to create a scratch database")
    )
    assert "secret-pw" not in err
