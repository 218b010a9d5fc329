"""Drift the project's way (infra.migrations.envopts): env.py's include_object and
compare_server_default, captured from its context.configure(...) call, are applied as `alembic check`
applies them, and the check says which were; models that declare nothing are a skip, not a pass."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.migrations import drift, envopts
from infra.migrations.checks import load_metadata, upgrade_from_empty
from infra.migrations.tree import AlembicTree

EXAMPLES = Path(__file__).parent / "examples"
TREE = AlembicTree(EXAMPLES / "drift-env-options" / "alembic.ini")
pytestmark = [pytest.mark.migrations, pytest.mark.infra]


def models() -> sa.MetaData:
    return load_metadata(str(EXAMPLES / "drift-env-options" / "models.py") + ":metadata")


def test_the_env_py_options_are_captured_without_touching_the_database(empty_engine):
    options = envopts.capture(TREE, empty_engine)
    assert sorted(options.set) == ["compare_server_default", "include_object"]
    assert options.applied() == (
        "env.py's include_object, compare_server_default applied; harness default compare_type"
    )
    with empty_engine.connect() as conn:
        assert not sa.inspect(conn).get_table_names()  # env.py stopped at configure(): nothing ran


@pytest.mark.negative(drift.autogenerate_findings.check)
def test_autogenerate_applies_the_projects_settings(empty_engine):
    """Without them: audit_log and the server default are findings; with them, as `alembic check`
    would, none."""
    assert upgrade_from_empty(TREE, empty_engine)[0] == []
    ours = drift.autogenerate_findings(empty_engine, models(), "e")
    assert len(ours) == 2 and any("audit_log" in f.found for f in ours)
    options = envopts.capture(TREE, empty_engine)
    assert drift.autogenerate_findings(empty_engine, models(), "e", options) == []


def test_catalog_drift_leaves_out_the_tables_env_py_excludes(live_stack):
    endpoints = live_stack.endpoints
    with_options = drift.catalog_drift(
        TREE,
        models(),
        endpoints.postgres_dsn(),
        endpoints.postgres_url(),
        "e",
        options=envopts.EnvOptions({"include_object": envopts_include()}),
    )
    [finding] = with_options  # the server default: the catalogs always compare it
    assert "audit_log" not in finding.found and "created_at" in finding.found


def envopts_include():  # type: ignore[no-untyped-def]
    return lambda obj, name, type_, reflected, compare_to: not (type_ == "table" and name == "audit_log")


def test_models_that_declare_no_table_are_nothing_to_compare():
    assert "the models declare no table" in (drift.nothing_to_compare(sa.MetaData()) or "")
    assert drift.nothing_to_compare(models()) is None
