"""The walk on a graph (infra.migrations.dag): merges, several bases, `depends_on`, and a failed
upgrade that does not end the walk. Live PostgreSQL, real Alembic, trees in examples/."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.migrations import drift
from infra.migrations.checks import load_metadata, upgrade_from_empty
from infra.migrations.dag import History
from infra.migrations.policy import Policy
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP, stepwise_roundtrip
from infra.migrations.tree import AlembicTree

EXAMPLES = Path(__file__).parent / "examples"


def tree(name: str) -> AlembicTree:
    return AlembicTree(EXAMPLES / name / "alembic.ini")


def test_revisions_come_parents_first_with_depends_on_as_a_parent():
    history = History(tree("several-bases").revisions())
    assert [r.id for r in history.revisions] == ["a1", "x1", "y2", "m3"]
    assert history.ancestors("y2") == {"x1", "a1"} and history.ancestors("m3") == {"a1", "x1", "y2"}
    assert history.heads({"a1", "x1"}) == ("a1", "x1") and history.heads({"a1", "x1", "y2"}) == ("y2",)


def test_the_downgrade_floor_covers_its_ancestors_only():
    history = History(tree("merged-branches").revisions())
    line = history.floor_order("b2")
    declared = Policy(downgrade_floor="b2")
    assert [r for r in line if declared.declared(r, line)] == ["a1", "b2"]  # c2 is on the other branch


@pytest.mark.migrations
@pytest.mark.infra
def test_two_feature_branches_and_their_merge_are_each_round_tripped(empty_engine):
    walk = stepwise_roundtrip(tree("merged-branches"), empty_engine, seed=0)
    assert {s.revision: s.status for s in walk.steps} == dict.fromkeys(
        ["a1", "c2", "b2", "m3"], "round-tripped"
    )
    assert walk.findings == [] and walk.downgraded == 4 and walk.rebuilds == 0
    assert walk.seeded.inserted["member"] >= 3
    assert (
        drift.autogenerate_findings(
            empty_engine, load_metadata(str(EXAMPLES / "merged-branches" / "models.py") + ":metadata"), "m"
        )
        == []
    )


@pytest.mark.migrations
@pytest.mark.infra
@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_a_merge_whose_downgrade_undoes_a_parent_is_blamed(empty_engine):
    walk = stepwise_roundtrip(tree("merge-downgrade-broken"), empty_engine, seed=0)
    [finding] = walk.findings
    assert finding.where == "revision m3 (downgrade to b2+c2)"
    assert "column org.note" in finding.found
    assert {s.revision: s.status for s in walk.steps}["m3"] == "downgrade leaves the catalog changed"


@pytest.mark.migrations
@pytest.mark.infra
def test_several_bases_and_depends_on_are_walked(empty_engine):
    walk = stepwise_roundtrip(tree("several-bases"), empty_engine, seed=0)
    assert [s.status for s in walk.steps] == ["round-tripped"] * 4
    assert walk.findings == [] and walk.downgraded == 4


@pytest.mark.migrations
@pytest.mark.infra
@pytest.mark.negative(upgrade_from_empty.check)
def test_a_failed_upgrade_does_not_end_the_walk(empty_engine):
    """u3 fails as its own command (it needs a setting u2 makes in the same transaction); u4 above it
    is walked from u3's state, rebuilt from empty in one command."""
    walk = stepwise_roundtrip(tree("upgrade-continues"), empty_engine, seed=0)
    statuses = {s.revision: s.status for s in walk.steps}
    assert statuses == {
        "a1": "round-tripped",
        "u2": "round-tripped",
        "u3": "upgrade failed",
        "u4": "round-tripped",
    }
    [finding] = walk.findings
    assert finding.where == "revision u3 (upgrade)" and "NotNullViolation" in finding.found
    assert walk.rebuilds == 1 and walk.downgraded == 3
