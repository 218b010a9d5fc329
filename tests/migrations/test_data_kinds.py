"""Data-survival findings have a kind (issue 18): what matters (an upgrade that changes or fails on
rows, a downgrade that loses data) apart from what the revision chose (a dropped column's values);
a downgrade declared lossy in the policy is reported as declared; values compare by meaning across
a type change. Pure parts first, then example trees (tests/migrations/examples/) on a live database."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.findings import only
from infra.migrations import policy as migration_policy
from infra.migrations.data import DataFinding, as_text, data_findings, failing
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree
from infra.stack.databases import scratch_engine

EXAMPLES = Path(__file__).parent / "examples"
pytestmark = [pytest.mark.migrations]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (1, "1", True),  # integer -> varchar
        (1.5, "1.50", True),  # numeric scale
        (True, "true", True),
        (None, None, True),
        (1, "10", False),
        ("abc", "abd", False),
        ({"k": 1}, {"k": 1}, True),
        (None, "", False),  # NULL is no empty string
    ],
)
def test_values_compare_by_meaning_not_json_type(a, b, same):
    assert (as_text(a) == as_text(b)) is same


def test_kinds_from_what_changed_and_where():
    start = {"org": [{"id": 1, "name": "a", "slug": "x"}]}
    upgraded = {"org": [{"id": 1, "name": "a"}]}  # the upgrade dropped slug
    back_slug = {"org": [{"id": 1, "name": "a", "slug": "1"}]}
    back_name = {"org": [{"id": 1, "name": "", "slug": "x"}]}
    dropped = data_findings(start, back_slug, "revision a2 (downgrade)", upgraded=upgraded)
    lost = data_findings(start, back_name, "revision a2 (downgrade)", upgraded=upgraded, lossy="listed")
    changed = data_findings(start, back_name, "revision a2 (upgrade)")
    assert [(f.kind, f.severity) for f in dropped if isinstance(f, DataFinding)] == [
        ("column-dropped", "info")
    ]
    assert [(f.kind, f.declared) for f in lost if isinstance(f, DataFinding)] == [
        ("downgrade-loses-data", "listed")
    ]
    assert "declared lossy: listed" in lost[0].found
    assert [f.kind for f in changed if isinstance(f, DataFinding)] == ["upgrade-changes-data"]
    assert failing([*dropped, *lost, *changed]) == changed  # info (inherent, declared) is reported only


def test_lossy_is_parsed_and_stale_ids_named(tmp_path):
    doc = {"tool": {"orderflow": {"migrations": {"lossy": ["a2", "zz"]}}}}
    parsed = migration_policy.parse(doc, tmp_path / "pyproject.toml")
    assert parsed.declared_lossy("a2") and parsed.declared_lossy("a1") is None
    assert parsed.unknown_revisions(["a1", "a2"]) == ["zz"]
    with pytest.raises(Exception, match="lossy must be a list"):
        migration_policy.parse({"tool": {"orderflow": {"migrations": {"lossy": "a2"}}}}, None)


def walk_findings(name: str, engine, policy=None) -> list[DataFinding]:
    walk = stepwise_roundtrip(AlembicTree(EXAMPLES / name / "alembic.ini"), engine, seed=0, policy=policy)
    found = [f for s in walk.steps for f in s.findings]
    return [f for f in only(found, data_findings.check) if isinstance(f, DataFinding)]


@pytest.mark.infra
def test_a_type_change_that_keeps_values_is_clean(empty_engine):
    """integer -> varchar, value for value: no finding (it was one per row, compared by JSON type)."""
    assert walk_findings("type-change-kept", empty_engine) == []


@pytest.mark.infra
@pytest.mark.negative(data_findings.check)
def test_a_type_change_that_rewrites_values_is_found(empty_engine):
    findings = walk_findings("type-change-alters-values", empty_engine)
    assert [(f.where, f.kind) for f in findings] == [
        ("revision a3 (upgrade), table org", "upgrade-changes-data")
    ]
    assert "columns ['seats'] changed" in findings[0].found


@pytest.mark.infra
@pytest.mark.negative(data_findings.check)
def test_a_lossy_downgrade_is_found_then_reported_as_declared(empty_engine, live_stack, tmp_path):
    undeclared = walk_findings("lossy-downgrade", empty_engine)
    assert [(f.kind, f.severity) for f in undeclared] == [("downgrade-loses-data", "error")]
    assert "columns ['name'] changed" in undeclared[0].found
    declared = migration_policy.parse(
        {"tool": {"orderflow": {"migrations": {"lossy": ["a2"]}}}}, tmp_path / "pyproject.toml"
    )
    endpoints = live_stack.endpoints
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "lossy") as fresh:
        again = walk_findings("lossy-downgrade", fresh, declared)
    assert [(f.kind, f.severity, bool(f.declared)) for f in again] == [("downgrade-loses-data", "info", True)]


@pytest.mark.infra
def test_a_dropped_column_is_inherent_not_a_downgrade_defect(empty_engine):
    findings = walk_findings("column-dropped", empty_engine)
    assert [(f.kind, f.severity) for f in findings] == [("column-dropped", "info")]
    assert "columns ['slug'] changed" in findings[0].found
