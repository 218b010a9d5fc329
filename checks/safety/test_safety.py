"""Migration safety of the schema under test, observed on the live stack: every revision is traced on
a seeded database (its down revision, rows in every table), one check per rule; the base ref's models
must still work against the head; an application transaction open on a touched table must not queue
behind a revision with no lock_timeout."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("hypothesis", reason="the safety checks need the [migrations] extra (hypothesis)")
import sqlalchemy as sa

from infra.config import metadata_given, project_metadata
from infra.findings import Finding, only, render_all
from infra.migrations import history
from infra.safety import oldcode
from infra.safety.contention import CONTENTION
from infra.safety.rules import RULES
from infra.safety.run import SafetyRun, contention_run, safety_run, upgrade
from infra.stack.databases import scratch_database, scratch_engine, with_database
from pytest_orderflow.harness import project_start

ROWS = 500
pytestmark = [pytest.mark.safety, pytest.mark.migrations, pytest.mark.infra]


@pytest.fixture(scope="module")
def safety_runs(alembic_tree, postgres_server) -> list[SafetyRun]:
    """Each revision traced from its down revision, on its own seeded scratch database."""
    runs = []
    for rev in alembic_tree.linear_history():
        with scratch_engine(postgres_server.admin_dsn, postgres_server.url, "safety") as engine:
            runs.append(safety_run(alembic_tree, engine, rev.down, rev.id, rows=ROWS))
    return runs


def _findings(runs: list[SafetyRun], rule_id: str) -> list[Finding]:
    if not any(s for r in runs for s in r.trace.statements if not s.bookkeeping):
        pytest.skip("no revision statement was traced")
    return only([f for r in runs for f in r.findings], rule_id)


@pytest.mark.parametrize(
    "rule", [pytest.param(r, marks=pytest.mark.check(r.check), id=r.id) for r in RULES.values()]
)
def test_revision_is_safe(safety_runs, rule):
    """Each rule's why is in infra/safety/rules.py; the trace is observed, not guessed from SQL."""
    findings = _findings(safety_runs, rule.id)
    assert not findings, render_all(findings)


@pytest.mark.check(oldcode.OLD_CODE)
def test_base_ref_models_work_against_head(alembic_tree, postgres_server, base_ref, pytestconfig):
    """The release at ORDERFLOW_BASE_REF (default HEAD) keeps working while the new schema is deployed."""
    models = metadata_given(pytestconfig.getoption("--orderflow-metadata")) or project_metadata(
        project_start(pytestconfig)
    )
    if not models:
        pytest.skip("no models named: pass --orderflow-metadata or set [tool.orderflow] metadata")
    repo = history.repo_root(Path(alembic_tree.script().versions))
    with scratch_engine(postgres_server.admin_dsn, postgres_server.url, "oldcode") as engine:
        upgrade(alembic_tree, engine, "head")
        url = engine.url.render_as_string(hide_password=False)
        findings, tables = oldcode.old_code_findings(repo, base_ref, models, url)
    assert tables, "the base ref's models map no table"
    assert not findings, render_all(findings)


@pytest.mark.check(CONTENTION)
def test_open_application_transaction_does_not_queue_behind_a_revision(
    alembic_tree, safety_runs, postgres_server
):
    """A revision that takes a blocking lock on an existing table gives up on lock_timeout instead."""
    touched = [
        (run.target, lk.table)
        for run in safety_runs
        for st in run.trace.statements
        for lk in st.locks
        if lk.existing and lk.blocking
    ]
    if not touched:
        pytest.skip("no revision takes a blocking lock on a table that existed before it")
    findings = []
    for revision, table in dict(touched).items():
        down = alembic_tree.script().get_revision(revision).down_revision or "base"
        with scratch_database(postgres_server.admin_dsn, "contend") as name:
            engine = sa.create_engine(with_database(postgres_server.url, name))
            try:
                result = contention_run(
                    alembic_tree,
                    engine,
                    with_database(postgres_server.admin_dsn, name),
                    revision,
                    str(down),
                    table,
                    100,
                    3.0,
                )
            finally:
                engine.dispose()
        findings += result.findings()
    assert not findings, render_all(findings)
