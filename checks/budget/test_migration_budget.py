"""The seed's migration budget: upgrade head on an empty database, timed."""

import pytest

from infra.findings import render_all
from infra.migrations.checks import migration_time_findings, upgrade_from_empty

pytestmark = [pytest.mark.infra, pytest.mark.budget]


@pytest.mark.check(migration_time_findings.check)
def test_upgrade_head_within_seed_budget(alembic_tree, empty_engine, prepare_hook, budgets, record_property):
    """The seed promises migrations in under 10 s on an empty database (a product check: its figure
    goes into the report, pass or fail)."""
    findings, seconds = upgrade_from_empty(alembic_tree, empty_engine, prepare_hook)
    record_property("migration_upgrade_s", f"{seconds:.2f} (budget {budgets.migrations_s:g})")
    assert not findings, render_all(findings)
    timing = migration_time_findings(seconds, budgets.migrations_s, f"alembic tree {alembic_tree.ini}")
    assert not timing, render_all(timing)
