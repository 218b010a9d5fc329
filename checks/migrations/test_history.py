"""The Alembic history under test: shape, upgrade from empty, reversibility, drift, data, time.

One stepwise walk per module serves the three reversibility checks (catalog, re-upgrade, data); each
check says what it examined and is skipped, never passed, when that is nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.migrations.examined import require_examined
from infra.errors import HarnessError
from infra.findings import only, render_all
from infra.migrations import drift, history
from infra.migrations.checks import migration_time_findings, single_head_findings, upgrade_from_empty
from infra.migrations.roundtrip import Walk, stepwise_roundtrip
from infra.stack.databases import scratch_engine

SEED_MIGRATION_BUDGET_S = 10.0
pytestmark = [pytest.mark.migrations]


@pytest.mark.check("migrations.single-head")
def test_single_head(alembic_tree):
    """Two heads mean an unmerged branch: `upgrade head` would be ambiguous."""
    findings = single_head_findings(alembic_tree)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.check("migrations.upgrade-from-empty")
def test_upgrade_from_empty(alembic_tree, empty_engine, prepare_hook):
    """Every new environment starts from an empty database."""
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine, prepare_hook)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.budget
@pytest.mark.check("budget.migration-time")
def test_upgrade_head_within_seed_budget(alembic_tree, empty_engine, prepare_hook):
    """The seed promises migrations in under 10 s on an empty database."""
    findings, seconds = upgrade_from_empty(alembic_tree, empty_engine, prepare_hook)
    assert not findings, render_all(findings)
    timing = migration_time_findings(seconds, SEED_MIGRATION_BUDGET_S, f"alembic tree {alembic_tree.ini}")
    assert not timing, render_all(timing)


@pytest.fixture(scope="module")
def walk(alembic_tree, live_stack, migration_policy, prepare_hook) -> Iterator[Walk]:
    """The whole line walked once, every table seeded with generated rows (reproducible seed)."""
    endpoints = live_stack.endpoints
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "walk") as engine:
        yield stepwise_roundtrip(alembic_tree, engine, seed=0, policy=migration_policy, prepare=prepare_hook)


@pytest.mark.infra
@pytest.mark.check("migrations.stepwise-roundtrip")
def test_each_downgrade_restores_the_catalog(walk):
    """A downgrade that does `pass` or forgets an index raises nothing; the catalog diff sees it."""
    require_examined(walk, walk.downgraded, "no revision was downgraded")
    findings = only(walk.findings, "migrations.stepwise-roundtrip")
    findings += only(walk.findings, "migrations.upgrade-from-empty")  # what stopped the walk, if anything
    assert not findings, f"{walk.summary()}\n{render_all(findings)}"


@pytest.mark.infra
@pytest.mark.check("migrations.reupgrade-identical")
def test_upgrade_after_downgrade_is_identical(walk):
    """Roll back, roll forward: the schema must land where it was."""
    require_examined(
        walk, walk.count("round-tripped"), "no revision was downgraded cleanly, so none re-upgraded"
    )
    findings = only(walk.findings, "migrations.reupgrade-identical")
    assert not findings, f"{walk.summary()}\n{render_all(findings)}"


@pytest.mark.infra
@pytest.mark.check("migrations.data-survives")
def test_generated_rows_survive_every_step(walk):
    """Rows generated for every table (hypothesis, from the reflected columns) are unchanged by each
    later upgrade and downgrade."""
    require_examined(walk, walk.seeded.rows and walk.upgraded, f"no rows seeded ({walk.seeded.summary()})")
    findings = only(walk.findings, "migrations.data-survives")
    assert not findings, f"{walk.summary()}\n{render_all(findings)}"


@pytest.mark.infra
@pytest.mark.check("migrations.drift-autogenerate")
def test_models_match_migrations_autogenerate(alembic_tree, empty_engine, target_metadata, prepare_hook):
    """A model change without a migration passes tests built with create_all() and fails in production."""
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine, prepare_hook)
    assert not findings, render_all(findings)
    drifted = drift.autogenerate_findings(empty_engine, target_metadata, f"alembic tree {alembic_tree.ini}")
    assert not drifted, render_all(drifted)


@pytest.mark.infra
@pytest.mark.check("migrations.drift-catalog")
def test_models_match_migrations_catalog(alembic_tree, live_stack, target_metadata, prepare_hook):
    """create_all() and upgrade head must build the same catalog, names, expressions and triggers included."""
    endpoints = live_stack.endpoints
    findings = drift.catalog_drift(
        alembic_tree,
        target_metadata,
        endpoints.postgres_dsn(),
        endpoints.postgres_url(),
        f"alembic tree {alembic_tree.ini}",
        prepare_hook,
    )
    assert not findings, render_all(findings)


@pytest.mark.check("migrations.history-unchanged")
def test_merged_revisions_unchanged(alembic_tree):
    """Revisions at ORDERFLOW_BASE_REF (default HEAD) must be untouched in the working tree: databases
    that ran a revision never run it again, so an edit forks the schema silently."""
    ref = os.environ.get("ORDERFLOW_BASE_REF", "HEAD")
    versions = Path(alembic_tree.script().versions)
    try:
        repo = history.repo_root(versions)
    except HarnessError as exc:
        pytest.skip(f"no git history to compare with: {exc}")
    findings = history.rewritten_findings(
        history.revisions_at(repo, ref, versions), history.revisions_in(versions), ref
    )
    assert not findings, render_all(findings)
