"""Negative cases for the migration checks: one small Alembic tree per way a history goes wrong
(tests/migrations/examples/<scenario>/), each making its check fail for real on a live database."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.findings import only
from infra.migrations import drift
from infra.migrations.checks import (
    load_metadata,
    migration_time_findings,
    single_head_findings,
    upgrade_from_empty,
)
from infra.migrations.data import data_findings
from infra.migrations.drift import autogenerate_findings, catalog_drift_findings
from infra.migrations.roundtrip import REUPGRADE_IDENTICAL, STEPWISE_ROUNDTRIP, stepwise_roundtrip
from infra.migrations.tree import AlembicTree

EXAMPLES = Path(__file__).parent / "examples"
pytestmark = [pytest.mark.migrations, pytest.mark.infra]


def tree(name: str) -> AlembicTree:
    return AlembicTree(EXAMPLES / name / "alembic.ini")


def models(name: str) -> sa.MetaData:
    return load_metadata(f"{tree(name).config().get_main_option('models')}:metadata")


def roundtrip(name: str, engine: sa.Engine, seed: int | None = None):
    return stepwise_roundtrip(tree(name), engine, seed=seed).findings


def test_valid_tree_passes_every_check(empty_engine):
    """The control: the scenarios differ from this tree by one defect each."""
    assert single_head_findings(tree("valid")) == []
    assert roundtrip("valid", empty_engine, seed=0) == []
    assert drift.autogenerate_findings(empty_engine, models("valid"), "valid") == []


@pytest.mark.negative(single_head_findings.check)
def test_two_heads():
    findings = single_head_findings(tree("two-heads"))
    assert [f.found for f in findings] == ["2 heads: b3, c3"]
    assert "alembic merge heads" in findings[0].hint


@pytest.mark.negative(upgrade_from_empty.check)
def test_upgrade_that_fails(empty_engine):
    findings, _ = upgrade_from_empty(tree("upgrade-fails"), empty_engine)
    assert len(findings) == 1
    assert (
        "DuplicateColumn" in findings[0].found
        and 'column "name" of relation "org" already exists' in findings[0].found
    )


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_downgrade_that_does_pass(empty_engine):
    """pytest-alembic's round trip passes this tree: nothing raises. The catalog diff does not."""
    findings = only(roundtrip("downgrade-pass", empty_engine), STEPWISE_ROUNDTRIP.id)
    assert [f.where for f in findings] == ["revision a2 (downgrade to a1)"]
    for leftover in ("column org.note", "constraint ck_org_note_length on org", "index ix_org_name"):
        assert f"+ {leftover}" in findings[0].found


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_downgrade_that_forgets_an_index(empty_engine):
    findings = only(roundtrip("downgrade-forgets-constraint", empty_engine), STEPWISE_ROUNDTRIP.id)
    assert len(findings) == 1
    assert findings[0].found.splitlines()[1:] == [
        "+ index ix_org_name: CREATE INDEX ix_org_name ON public.org USING btree (name)"
    ]


@pytest.mark.negative(STEPWISE_ROUNDTRIP)
def test_downgrade_that_forgets_a_comment_on_a_table_it_does_not_name(empty_engine):
    """The walk's snapshots reuse objects built from unchanged text; the server still renders the whole
    catalog, so one comment on a column of another table is seen, with seeded rows too."""
    findings = only(roundtrip("downgrade-forgets-comment", empty_engine, seed=0), STEPWISE_ROUNDTRIP.id)
    assert [f.where for f in findings] == ["revision a2 (downgrade to a1)"]
    assert findings[0].found.splitlines()[1:] == ["~ column org.name: comment: (none) → shown to customers"]


@pytest.mark.negative(REUPGRADE_IDENTICAL)
def test_upgrade_that_differs_each_time(empty_engine):
    findings = only(roundtrip("nondeterministic", empty_engine), REUPGRADE_IDENTICAL.id)
    assert [f.where for f in findings] == ["revision a2 (upgrade after downgrade)"]
    assert "~ index ix_org_name" in findings[0].found and "comment: built" in findings[0].found


@pytest.mark.negative(data_findings.check)
def test_upgrade_that_rewrites_rows(empty_engine):
    """The rows are generated for whatever tables exist (here org), not written for this schema."""
    findings = only(roundtrip("data-loss", empty_engine, seed=0), data_findings.check)
    assert findings, "uppercasing every name must be caught"
    assert findings[0].where == "revision a2 (upgrade), table org"
    assert "3 row(s) unchanged" in findings[0].expected
    assert '"name": ' in findings[0].found.split("e.g. ", 1)[1]


@pytest.mark.negative(autogenerate_findings.check)
def test_model_column_type_drift(empty_engine):
    upgrade_from_empty(tree("drifted-column"), empty_engine)
    findings = drift.autogenerate_findings(empty_engine, models("drifted-column"), "drifted-column")
    assert [f.check_id for f in findings] == [autogenerate_findings.check.id]
    assert findings[0].found.startswith("op.alter_column('org', 'note'"), findings[0].found
    assert "type_=" in findings[0].found and "0x" not in findings[0].found


def catalog_drift(name: str, live_stack) -> list:
    endpoints = live_stack.endpoints
    return drift.catalog_drift(
        tree(name), models(name), endpoints.postgres_dsn(), endpoints.postgres_url(), name
    )


@pytest.mark.negative(catalog_drift_findings.check)
def test_check_constraint_drift_that_autogenerate_misses(empty_engine, live_stack):
    """Autogenerate does not compare check expressions; the catalogs do."""
    upgrade_from_empty(tree("drifted-check"), empty_engine)
    assert drift.autogenerate_findings(empty_engine, models("drifted-check"), "drifted-check") == []
    findings = catalog_drift("drifted-check", live_stack)
    assert len(findings) == 1
    assert "~ constraint ck_org_note_length on org" in findings[0].found
    assert "<= 200" in findings[0].found and "<= 300" in findings[0].found


@pytest.mark.negative(migration_time_findings.check)
def test_slow_migration_breaks_a_budget(empty_engine):
    findings, seconds = upgrade_from_empty(tree("slow"), empty_engine)
    assert findings == [] and seconds >= 0.3  # the tree sleeps 0.3 s in a2
    over = migration_time_findings(seconds, budget_s=0.2, where="slow")
    assert [f.check_id for f in over] == [migration_time_findings.id]
