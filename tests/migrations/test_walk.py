"""The stepwise walk on small trees (tests/migrations/examples/<scenario>/): it visits every revision,
blames the revision at fault once, honours declared irreversibility, and never passes by examining
nothing. Live PostgreSQL, real Alembic."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

from checks.migrations.examined import require_examined
from infra.migrations import drift, policy
from infra.migrations.checks import load_metadata, upgrade_from_empty
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP, stepwise_roundtrip
from infra.migrations.tree import AlembicTree

EXAMPLES = Path(__file__).parent / "examples"
pytestmark = [pytest.mark.migrations, pytest.mark.infra]


def tree(name: str) -> AlembicTree:
    return AlembicTree(EXAMPLES / name / "alembic.ini")


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_walk_goes_on_after_failures_and_blames_each_revision(empty_engine):
    """a2's downgrade raises, a4's forgets an index; a3 between them is still walked and passes."""
    walk = stepwise_roundtrip(tree("walk-continues"), empty_engine)
    statuses = {s.revision: s.status for s in walk.steps}
    assert statuses == {
        "a1": "round-tripped",
        "a2": "downgrade failed",
        "a3": "round-tripped",
        "a4": "downgrade leaves the catalog changed",
    }
    findings = walk.findings
    assert [(f.check_id, f.where) for f in findings] == [
        (STEPWISE_ROUNDTRIP.id, "revision a2 (downgrade to a1)"),
        (STEPWISE_ROUNDTRIP.id, "revision a4 (downgrade to a3)"),
    ]  # one cause, one finding: no re-upgrade finding echoes either
    assert 'column "notes" of relation "org" does not exist' in findings[0].found
    assert "+ index ix_org_email" in findings[1].found
    assert walk.rebuilds == 1 and walk.downgraded == 4  # a2 left intact (rolled back): no rebuild


def test_declared_irreversible_revisions_are_reported_and_walked_past(empty_engine):
    """a2 raises NotImplementedError, a3 is listed in the tree's pyproject.toml: both declared; a4 above
    them is round-tripped."""
    declared = policy.load(None, tree("irreversible").ini)
    walk = stepwise_roundtrip(tree("irreversible"), empty_engine, policy=declared)
    statuses = {s.revision: s.status for s in walk.steps}
    assert statuses["a2"] == "declared irreversible: its downgrade raises NotImplementedError"
    assert statuses["a3"].startswith("declared irreversible: listed as irreversible in ")
    assert statuses["a4"] == "round-tripped"
    assert walk.findings == []
    assert "2 declared irreversible" in walk.summary()


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_undeclared_downgrade_that_does_nothing_still_fails(empty_engine):
    """Without the policy, a3's empty downgrade is a leak like any other."""
    walk = stepwise_roundtrip(tree("irreversible"), empty_engine)
    [finding] = walk.findings
    assert finding.where == "revision a3 (downgrade to a2)" and "+ column org.email" in finding.found


def test_walk_that_examines_zero_revisions_is_skipped(empty_engine):
    """The first revision needs a table that only exists in the base schema: nothing is upgraded, and
    the reversibility check is skipped saying so, not passed."""
    walk = stepwise_roundtrip(tree("needs-base"), empty_engine)
    assert walk.upgraded == 0 and walk.downgraded == 0
    [finding] = walk.findings
    assert finding.where == "revision n1 (upgrade)" and 'relation "legacy" does not exist' in finding.found
    with pytest.raises(pytest.skip.Exception, match="nothing examined: no revision was downgraded"):
        require_examined(walk, walk.downgraded, "no revision was downgraded")


def test_prepare_hook_builds_the_base_schema(empty_engine):
    hook = policy.prepare_hook(policy.Policy(), str(EXAMPLES / "needs-base" / "base.sql"))
    walk = stepwise_roundtrip(tree("needs-base"), empty_engine, prepare=hook, seed=0)
    assert walk.findings == [] and walk.downgraded == 1
    assert walk.seeded.inserted["legacy"] >= 3  # at the start, and again when n1 adds a column


def test_seeding_that_inserts_zero_rows_is_skipped(empty_engine):
    walk = stepwise_roundtrip(tree("unfillable"), empty_engine, seed=0)
    assert walk.seeded.rows == 0
    assert walk.seeded.unfillable == {"doc": "no generator for column body of type TSVECTOR"}
    with pytest.raises(pytest.skip.Exception, match=r"no rows seeded .*could not fill: doc"):
        require_examined(walk, walk.seeded.rows, f"no rows seeded ({walk.seeded.summary()})")


def test_every_table_is_seeded_generically(empty_engine):
    walk = stepwise_roundtrip(tree("valid"), empty_engine, seed=0)
    assert walk.seeded.inserted["org"] >= 3 and walk.tables_compared == 1
    assert walk.findings == []


def test_module_level_side_effect_does_not_accumulate(empty_engine):
    """a2 counts its imports and attaches a CheckConstraint at import time; the walk runs many
    commands (upgrade, downgrade, upgrade, per revision), and the tree is loaded once."""
    walk = stepwise_roundtrip(tree("side-effect"), empty_engine)
    assert walk.findings == [] and walk.downgraded == 2
    state = sys.modules["orderflow_example_shared_models"]
    assert state.imports == 1
    assert len([c for c in state.org.constraints if c.__class__.__name__ == "CheckConstraint"]) == 1


def test_promoted_warning_cannot_fail_a_user_revision(empty_engine):
    """Our pytest settings make warnings errors in our own packages only: a2 warns at import and while
    upgrading, and the walk is clean."""
    walk = stepwise_roundtrip(tree("warns"), empty_engine)
    assert walk.findings == [] and walk.downgraded == 2


@pytest.mark.negative(upgrade_from_empty.check)
def test_warning_promoted_by_the_users_own_filter_is_a_finding_naming_it(empty_engine):
    """The counterpart: when the user asks for errors, the finding names the revision and the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        findings, _ = upgrade_from_empty(tree("warns"), empty_engine)
    [finding] = findings
    # At import (when this process loads the tree here) or in upgrade() (when it was loaded before).
    assert finding.found.startswith("DeprecationWarning: a2: "), finding.found


@pytest.mark.negative(drift.catalog_drift_findings.check)
def test_models_the_database_refuses_are_a_finding_not_a_traceback(live_stack):
    endpoints = live_stack.endpoints
    findings = drift.catalog_drift(
        tree("bad-models"),
        load_metadata(str(EXAMPLES / "bad-models" / "models.py") + ":metadata"),
        endpoints.postgres_dsn(),
        endpoints.postgres_url(),
        "bad-models",
    )
    [finding] = findings
    assert finding.where == "bad-models (models)"
    assert "there is no unique constraint matching given keys" in finding.found


def test_autocommit_block_runs_through_the_harness(empty_engine):
    """Issue 12 item 0: CREATE/DROP INDEX CONCURRENTLY inside autocommit_block() upgrades, round trips
    and compares like any revision (it used to die on a bare AssertionError inside Alembic)."""
    findings, _ = upgrade_from_empty(tree("concurrently"), empty_engine)
    assert findings == []
    with empty_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT to_regclass('ix_org_name')").scalar() == "ix_org_name"


def test_autocommit_block_walk_compares_the_catalog(empty_engine):
    walk = stepwise_roundtrip(tree("concurrently"), empty_engine, seed=0)
    assert walk.findings == []
    assert [s.status for s in walk.steps] == ["round-tripped", "round-tripped"]
