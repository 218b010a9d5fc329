"""The Alembic history under test: shape, upgrade from empty, reversibility, drift, data.

One stepwise walk per module serves the three reversibility checks (catalog, re-upgrade, data); each
check says what it examined and is skipped, never passed, when that is nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

pytest.importorskip("hypothesis", reason="the migration checks need the [migrations] extra (hypothesis)")

from infra.errors import HarnessError
from infra.findings import only, render_all
from infra.migrations import drift, envopts, history
from infra.migrations.checks import single_head_findings, upgrade_from_empty
from infra.migrations.coverage import coverage
from infra.migrations.data import data_findings, failing
from infra.migrations.policy import Prepare
from infra.migrations.roundtrip import REUPGRADE_IDENTICAL, STEPWISE_ROUNDTRIP, Walk, stepwise_roundtrip
from infra.stack.databases import scratch_engine

from .examined import judge_walk, require_examined

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
def walk(alembic_tree, postgres_server, migration_policy, prepare_hook) -> Iterator[Walk]:
    """The whole line walked once, every table seeded with generated rows (reproducible seed)."""
    with scratch_engine(postgres_server.admin_dsn, postgres_server.url, "walk") as engine:
        yield stepwise_roundtrip(alembic_tree, engine, seed=0, policy=migration_policy, prepare=prepare_hook)


@pytest.mark.infra
@pytest.mark.check(STEPWISE_ROUNDTRIP)
def test_each_downgrade_restores_the_catalog(walk, request):
    """A downgrade that does `pass` or forgets an index raises nothing; the catalog diff sees it."""
    findings = only(walk.findings, STEPWISE_ROUNDTRIP)
    findings += only(walk.findings, upgrade_from_empty.check)  # what kept revisions from being walked
    judge_walk(request.node, walk, coverage(walk, STEPWISE_ROUNDTRIP.id), findings)


@pytest.mark.infra
@pytest.mark.check(REUPGRADE_IDENTICAL)
def test_upgrade_after_downgrade_is_identical(walk, request):
    """Roll back, roll forward: the schema must land where it was."""
    cov = coverage(walk, REUPGRADE_IDENTICAL.id)
    judge_walk(request.node, walk, cov, only(walk.findings, REUPGRADE_IDENTICAL))


@pytest.mark.infra
@pytest.mark.check(data_findings.check)
def test_generated_rows_survive_every_step(walk, request):
    """Rows generated for every table (hypothesis, from the reflected columns) are unchanged by each
    later upgrade and downgrade."""
    require_examined(walk, walk.seeded.rows, f"no rows seeded ({walk.seeded.summary()})")
    cov = coverage(walk, data_findings.check.id)
    # Inherent column drops and downgrades declared lossy are reported with the walk, not failed.
    judge_walk(request.node, walk, cov, failing(only(walk.findings, data_findings.check)))


@dataclass(frozen=True)
class DriftInputs:
    models: sa.MetaData | None  # None: the project's own interpreter loads them (--python)
    spec: str
    options: envopts.EnvOptions
    prepare: Prepare | None


@pytest.fixture
def drift_inputs(request, models_spec, alembic_tree, empty_engine, prepare_hook) -> DriftInputs:
    """The models, env.py's autogenerate settings; skips when the models declare nothing. The pass
    line names the settings applied."""
    spec = models_spec  # skips when no models are named
    if alembic_tree.python:
        request.node.user_properties.append(
            ("examined", "in the project's interpreter, with env.py's options")
        )
        return DriftInputs(None, spec, envopts.EnvOptions(), prepare_hook)
    models = request.getfixturevalue("target_metadata")
    reason = drift.nothing_to_compare(models)
    if reason:
        pytest.skip(reason)
    options = envopts.capture(alembic_tree, empty_engine)
    request.node.user_properties.append(
        ("examined", f"{len(models.tables)} model table(s); {options.applied()}")
    )
    return DriftInputs(models, spec, options, prepare_hook)


@pytest.mark.infra
@pytest.mark.check(drift.autogenerate_findings.check)
def test_models_match_migrations_autogenerate(alembic_tree, empty_engine, drift_inputs):
    """A model change without a migration passes tests built with create_all() and fails in production.
    Compared the project's way: env.py's include_object, compare_type... as `alembic check` applies them."""
    given = drift_inputs
    findings, _ = upgrade_from_empty(alembic_tree, empty_engine, given.prepare)
    assert not findings, render_all(findings)
    where = f"alembic tree {alembic_tree.ini}"
    drifted = drift.autogenerate_findings(
        empty_engine, given.models, where, given.options, alembic_tree, given.spec
    )
    assert not drifted, f"{given.options.applied()}\n{render_all(drifted)}"


@pytest.mark.infra
@pytest.mark.check(drift.catalog_drift_findings.check)
def test_models_match_migrations_catalog(alembic_tree, postgres_server, drift_inputs):
    """create_all() and upgrade head must build the same catalog, names, expressions and triggers included
    (tables env.py's include_name / include_object exclude are left out)."""
    given = drift_inputs
    findings = drift.catalog_drift(
        alembic_tree,
        given.models,
        postgres_server.admin_dsn,
        postgres_server.url,
        f"alembic tree {alembic_tree.ini}",
        given.prepare,
        given.options,
        given.spec,
    )
    assert not findings, f"{given.options.applied()}\n{render_all(findings)}"


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
