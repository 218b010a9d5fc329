"""The Alembic history under test: shape, upgrade from empty, reversibility, drift, data, time."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from checks.migrations.orgs import ORGS, seeder
from infra.findings import only, render_all
from infra.migrations import drift, history
from infra.migrations.checks import (
    PgCatalog,
    single_head_findings,
    upgrade_from_empty,
)
from infra.migrations.data import data_findings
from infra.migrations.drift import autogenerate_findings, catalog_drift_findings
from infra.migrations.history import rewritten_findings
from infra.migrations.roundtrip import REUPGRADE_IDENTICAL, STEPWISE_ROUNDTRIP, stepwise_roundtrip
from infra.stack.databases import scratch_engine

pytestmark = [pytest.mark.migrations]


@pytest.mark.check(single_head_findings.check)
def test_single_head(alembic_tree):
    """Two heads mean an unmerged branch: `upgrade head` would be ambiguous."""
    findings = single_head_findings(alembic_tree)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.check(upgrade_from_empty.check)
def test_upgrade_from_empty(alembic_tree, empty_engine):
    """Every new environment starts from an empty database."""
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine)
    assert not findings, render_all(findings)


@pytest.fixture
def roundtrip_findings(alembic_tree, empty_engine):
    steps = stepwise_roundtrip(alembic_tree, empty_engine, PgCatalog())
    return [f for step in steps for f in step.findings]


@pytest.mark.infra
@pytest.mark.check(STEPWISE_ROUNDTRIP)
def test_each_downgrade_restores_the_catalog(roundtrip_findings):
    """A downgrade that does `pass` or forgets an index raises nothing; the catalog diff sees it."""
    findings = only(roundtrip_findings, STEPWISE_ROUNDTRIP.id)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.check(REUPGRADE_IDENTICAL)
def test_upgrade_after_downgrade_is_identical(roundtrip_findings):
    """Roll back, roll forward: the schema must land where it was."""
    findings = only(roundtrip_findings, REUPGRADE_IDENTICAL.id)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.slow
@pytest.mark.check(data_findings.check)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orgs=ORGS)
def test_generated_orgs_survive_every_step(alembic_tree, live_stack, orgs):
    """Orgs inserted after each revision are unchanged by the following steps' upgrades and downgrades."""
    endpoints = live_stack.endpoints
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "survive") as engine:
        steps = stepwise_roundtrip(alembic_tree, engine, PgCatalog(), seed=seeder(orgs))
    findings = only([f for s in steps for f in s.findings], data_findings.id)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.check(autogenerate_findings.check)
def test_models_match_migrations_autogenerate(alembic_tree, empty_engine, target_metadata):
    """A model change without a migration passes tests built with create_all() and fails in production."""
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine)
    assert not findings, render_all(findings)
    drifted = drift.autogenerate_findings(empty_engine, target_metadata, f"alembic tree {alembic_tree.ini}")
    assert not drifted, render_all(drifted)


@pytest.mark.infra
@pytest.mark.check(catalog_drift_findings.check)
def test_models_match_migrations_catalog(alembic_tree, live_stack, target_metadata):
    """create_all() and upgrade head must build the same catalog, names, expressions and triggers included."""
    endpoints = live_stack.endpoints
    findings = drift.catalog_drift(
        alembic_tree,
        target_metadata,
        endpoints.postgres_dsn(),
        endpoints.postgres_url(),
        f"alembic tree {alembic_tree.ini}",
    )
    assert not findings, render_all(findings)


@pytest.mark.check(rewritten_findings.check)
def test_merged_revisions_unchanged(alembic_tree, base_ref):
    """Revisions at --base-ref (ORDERFLOW_BASE_REF, default HEAD) must be untouched in the working tree:
    databases that ran a revision never run it again, so an edit forks the schema silently."""
    ref = base_ref
    versions = Path(alembic_tree.script().versions)
    repo = history.repo_root(versions)
    findings = history.rewritten_findings(
        history.revisions_at(repo, ref, versions), history.revisions_in(versions), ref
    )
    assert not findings, render_all(findings)
