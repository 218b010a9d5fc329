"""The project's own Python (infra.migrations.child): a project pinned to SQLAlchemy 1.4 / Alembic 1.8
(tests/migrations/legacy_project, whose r2 uses 1.4's `select([...])`) is walked, compared with its
models and its rows checked from its own virtualenv, while snapshots, seeding and judgement stay here."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.errors import HarnessError
from infra.migrations import drift
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree, run

PROJECT = Path(__file__).parent / "legacy_project"
TREE = AlembicTree(PROJECT / "alembic.ini")
PINS = ["sqlalchemy==1.4.54", "alembic==1.8.1", "psycopg2-binary"]
pytestmark = [pytest.mark.migrations, pytest.mark.infra]


@pytest.fixture(scope="session")
def legacy_python(tmp_path_factory) -> Path:
    """An interpreter with SQLAlchemy 1.4 / Alembic 1.8: ORDERFLOW_TEST_SA14_PYTHON, else a new venv."""
    given = os.environ.get("ORDERFLOW_TEST_SA14_PYTHON")
    if given:
        return Path(given)
    venv = tmp_path_factory.mktemp("sa14") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *PINS],
        capture_output=True,
        text=True,
        check=False,
    )
    if pip.returncode != 0:
        pytest.skip(f"cannot install {PINS} into a venv: {pip.stderr.strip()[-200:]}")
    return venv / "bin" / "python"


def test_the_project_fails_under_our_sqlalchemy(empty_engine):
    """Why the child exists: r2 cannot run under SQLAlchemy 2."""
    walk = stepwise_roundtrip(TREE, empty_engine)
    assert walk.steps[1].status == "upgrade failed"
    assert "ArgumentError" in walk.findings[0].found


def test_walk_drift_and_data_from_the_projects_own_venv(legacy_python, empty_engine, live_stack):
    tree = TREE.with_python(legacy_python)
    assert [r.id for r in tree.revisions()] == ["r1", "r2"] and tree.heads() == ["r2"]
    walk = stepwise_roundtrip(tree, empty_engine, seed=0)
    assert walk.findings == [] and [s.status for s in walk.steps] == ["round-tripped"] * 2
    assert walk.seeded.inserted["org"] >= 3  # seeded by the harness, migrated by the child
    spec = "legacy_models:Base"
    assert drift.autogenerate_findings(empty_engine, None, "legacy", project=tree, spec=spec) == []
    endpoints = live_stack.endpoints
    findings = drift.catalog_drift(
        tree, None, endpoints.postgres_dsn(), endpoints.postgres_url(), "legacy", spec=spec
    )
    assert findings == []


def test_a_missing_interpreter_is_a_usage_error():
    with pytest.raises(HarnessError, match="--python /nonexistent/python does not exist"):
        TREE.with_python(Path("/nonexistent/python")).heads()


def test_the_safety_trace_is_refused_in_the_projects_interpreter():
    """The statements run in the child, where no observer can see them: one line, not a trace of nothing."""
    engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected
    tree = TREE.with_python(Path(sys.executable))
    with pytest.raises(HarnessError, match="the safety trace needs the migrations to run in this process"):
        run(tree, engine, "upgrade", "head", observe=lambda _conn: contextlib.nullcontext())
