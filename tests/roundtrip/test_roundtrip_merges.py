"""`python -m infra roundtrip --base REF` on a branch that merges: two feature branches joined by a
merge revision, every new revision round tripped on its own, the merge included."""

from __future__ import annotations

import json

import pytest

from infra.cli import main
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP

pytestmark = [pytest.mark.migrations, pytest.mark.infra]
BRANCHES = ("b2_note.py", "c2_member.py", "m3_merge.py")


def roundtrip(tree_repo, live_stack, capsys) -> tuple[int, dict]:
    argv = ["roundtrip", "--base", "main", "--alembic-ini", str(tree_repo.ini), "--no-trace"]
    code = main([*argv, "--database-url", live_stack.endpoints.postgres_dsn(), "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_branch_that_merges_round_trips_each_revision(tree_repo, live_stack, capsys):
    for name in BRANCHES:
        tree_repo.add_revision("merged-branches", name)
    code, report = roundtrip(tree_repo, live_stack, capsys)
    assert code == 0, [r for r in report["results"] if r["status"] != "passed"]
    assert [(t["id"], t["status"]) for t in report["revisions"]] == [
        ("c2", "round-tripped"),
        ("b2", "round-tripped"),
        ("m3", "round-tripped"),
    ]
    assert report["head"] == "m3"


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_a_merge_whose_downgrade_is_broken_fails_on_the_merge(tree_repo, live_stack, capsys):
    for name in BRANCHES:
        tree_repo.add_revision("merge-downgrade-broken", name)
    code, report = roundtrip(tree_repo, live_stack, capsys)
    assert code == 1
    [problem] = [r for r in report["results"] if r["status"] == "failed"]
    assert (
        problem["check_id"] == STEPWISE_ROUNDTRIP.id
        and problem["where"] == "revision m3 (downgrade to b2+c2)"
    )
