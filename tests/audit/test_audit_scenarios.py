"""Negative cases for the convention audit: one scenario per way a schema breaks a rule, applied on top
of scenarios/valid.sql in a live database, each making its rule report the object by name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from infra.audit import RULES, audit
from infra.catalog import snapshot
from infra.findings import render_all

SCENARIOS = Path(__file__).parent / "scenarios"

pytestmark = [pytest.mark.infra, pytest.mark.audit]


class Scenario(NamedTuple):
    """scenarios/<name>.sql breaks the rule its first line names (`-- breaks: <check id> | <where>`);
    a finding's `where` names `names`."""

    name: str
    names: str


def _cases() -> list[pytest.ParameterSet]:
    cases = []
    for path in sorted(SCENARIOS.glob("*.sql")):
        first = path.read_text(encoding="utf-8").partition("\n")[0]
        if path.stem != "valid":
            match = BREAKS.fullmatch(first)
            assert match, f"{path}: the first line must be `-- breaks: <check id> | <where>`"
            check_id, names = match.groups()
            cases.append(pytest.param(Scenario(path.stem, names), marks=pytest.mark.negative(check_id)))
    return cases


BREAKS = re.compile(r"-- breaks: (\S+) \| (.+)")
SCENARIO_CASES = _cases()


def test_the_valid_scenario_has_no_findings(valid_dsn, convention):
    """The control: every other scenario differs from this schema by one defect."""
    findings = audit(snapshot(valid_dsn), convention)
    assert not findings, render_all(findings)


@pytest.mark.parametrize("scenario", SCENARIO_CASES, ids=lambda s: s.name)
def test_each_defect_is_reported_with_the_objects_name(request, scenario_conn, convention, scenario):
    rule_id = request.node.get_closest_marker("negative").args[0]
    scenario_conn.execute((SCENARIOS / f"{scenario.name}.sql").read_text())
    findings = audit(snapshot(scenario_conn), convention)
    report = render_all(findings)
    assert any(f.check_id == rule_id and scenario.names in f.where for f in findings), report
    assert {f.check_id for f in findings} == {rule_id}, f"not only {rule_id} broken:\n{report}"


def test_every_rule_has_a_scenario():
    assert {case.marks[0].args[0] for case in SCENARIO_CASES} == set(RULES)


def test_the_audit_reports_every_violation_not_just_the_first(scenario_conn, convention):
    for scenario in ("json-column", "misnamed-index"):
        sql = (SCENARIOS / f"{scenario}.sql").read_text()
        scenario_conn.execute(sql.replace("shipment", f"shipment_{scenario.replace('-', '_')}"))
    findings = audit(snapshot(scenario_conn), convention)
    assert sorted(f.where for f in findings) == [
        "column shipment_json_column.payload",
        "index idx_shipment_misnamed_index_org on shipment_misnamed_index",
    ]
