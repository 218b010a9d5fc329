"""The Alembic history under test: shape, upgrade from empty, reversibility, drift, data.

One stepwise walk per module serves the three reversibility checks (catalog, re-upgrade, data); each
check says what it examined and is skipped, never passed, when that is nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from checks.migrations.examined import require_examined
from infra.errors import HarnessError
from infra.findings import only, render_all
from infra.migrations import drift, history
from infra.migrations.checks import single_head_findings, upgrade_from_empty
from infra.migrations.data import data_findings, failing
from infra.migrations.roundtrip import REUPGRADE_IDENTICAL, STEPWISE_ROUNDTRIP, Walk, stepwise_roundtrip
from infra.stack.databases import scratch_engine

pytestmark = [pytest.mark.migrations]


@pytest.mark.check(single_head_findings.check)
def test_single_head(alembic_tree):
    """Two heads mean an unmerged branch: `upgrade head` would be ambiguous."""
    findings = single_head_findings(alembic_tree)
    assert not findings, render_all(findings)


@pytest.mark.infra
@pytest.mark.check(upgrade_from_empty.check)
def test_upgrade_from_empty(alembic_tree, empty_engine, prepare_hook):
    """Every new environment starts from an empty database."""
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine, prepare_hook)
    assert not findings, render_all(findings)


@pytest.fixture(scope="module")
def walk(alembic_tree, live_stack, migration_policy, prepare_hook) -> Iterator[Walk]:
    """The whole line walked once, every table seeded with generated rows (reproducible seed)."""
    endpoints = live_stack.endpoints
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "walk") as engine:
        yield stepwise_roundtrip(alembic_tree, engine, seed=0, policy=migration_policy, prepare=prepare_hook)


@pytest.mark.infra
@pytest.mark.check(STEPWISE_ROUNDTRIP)
def test_each_downgrade_restores_the_catalog(walk):
    """A downgrade that does `pass` or forgets an index raises nothing; the catalog diff sees it."""
    require_examined(walk, walk.downgraded, "no revision was downgraded")
    findings = only(walk.findings, STEPWISE_ROUNDTRIP)
    findings += only(walk.findings, upgrade_from_empty.check)  # what stopped the walk, if anything
    assert not findings, f"{walk.summary()}\n{render_all(findings)}"


@pytest.mark.infra
@pytest.mark.check(REUPGRADE_IDENTICAL)
def test_upgrade_after_downgrade_is_identical(walk):
    """Roll back, roll forward: the schema must land where it was."""
    require_examined(
        walk, walk.count("round-tripped"), "no revision was downgraded cleanly, so none re-upgraded"
    )
    findings = only(walk.findings, REUPGRADE_IDENTICAL)
    assert not findings, f"{walk.summary()}\n{render_all(findings)}"


@pytest.mark.infra
@pytest.mark.check(data_findings.check)
def test_generated_rows_survive_every_step(walk):
    """Rows generated for every table (hypothesis, from the reflected columns) are unchanged by each
    later upgrade and downgrade."""
    require_examined(walk, walk.seeded.rows and walk.upgraded, f"no rows seeded ({walk.seeded.summary()})")
    findings = only(walk.findings, data_findings.check)
    # Inherent column drops and downgrades declared lossy are reported with the walk, not failed.
    assert not failing(findings), f"{walk.summary()}\n{render_all(findings)}"


@pytest.mark.infra
@pytest.mark.check(drift.autogenerate_findings.check)
def test_models_match_migrations_autogenerate(alembic_tree, empty_engine, target_metadata, prepare_hook):
    """A model change without a migration passes tests built with create_all() and fails in production."""
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine, prepare_hook)
    assert not findings, render_all(findings)
    drifted = drift.autogenerate_findings(empty_engine, target_metadata, f"alembic tree {alembic_tree.ini}")
    assert not drifted, render_all(drifted)


@pytest.mark.infra
@pytest.mark.check(drift.catalog_drift_findings.check)
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


@pytest.mark.check(history.rewritten_findings.check)
def test_merged_revisions_unchanged(alembic_tree, base_ref):
    """Revisions at --base-ref (ORDERFLOW_BASE_REF, default HEAD) must be untouched in the working tree:
    databases that ran a revision never run it again, so an edit forks the schema silently."""
    versions = Path(alembic_tree.script().versions)
    try:
        repo = history.repo_root(versions)
    except HarnessError as exc:
        pytest.skip(f"no git history to compare with: {exc}")
    findings = history.rewritten_findings(
        history.revisions_at(repo, base_ref, versions), history.revisions_in(versions), base_ref
    )
    assert not findings, render_all(findings)
