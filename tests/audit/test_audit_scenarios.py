"""Negative cases for the convention audit: one scenario per way a schema breaks a rule, applied on top
of scenarios/valid.sql in a live database, each making its rule report the object by name."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from infra.audit import RULES, audit
from infra.catalog import snapshot
from infra.findings import render_all

SCENARIOS = Path(__file__).parent / "scenarios"

pytestmark = [pytest.mark.infra, pytest.mark.audit]


class Scenario(NamedTuple):
    """scenarios/<name>.sql breaks the rule its `negative` mark names; a finding's `where` names `names`."""

    name: str
    names: str


SCENARIO_CASES = [
    pytest.param(
        Scenario("plural-table-name", "table order_lines"), marks=pytest.mark.negative("schema.table-name")
    ),
    pytest.param(
        Scenario("camelcase-table-name", "table OrderLine"), marks=pytest.mark.negative("schema.table-name")
    ),
    pytest.param(
        Scenario("camelcase-column", "column shipment.trackingNumber"),
        marks=pytest.mark.negative("schema.column-name"),
    ),
    pytest.param(
        Scenario("serial-pk", "column shipment.id"), marks=pytest.mark.negative("schema.pk-uuid-id")
    ),
    pytest.param(
        Scenario("bigint-pk", "column shipment.id"), marks=pytest.mark.negative("schema.pk-uuid-id")
    ),
    pytest.param(Scenario("composite-pk", "table shipment"), marks=pytest.mark.negative("schema.pk-uuid-id")),
    pytest.param(
        Scenario("uuid-pk-without-default", "column shipment.id"),
        marks=pytest.mark.negative("schema.pk-uuid-id"),
    ),
    pytest.param(
        Scenario("missing-updated-at", "table shipment"), marks=pytest.mark.negative("schema.timestamps")
    ),
    pytest.param(
        Scenario("nullable-updated-at", "column shipment.updated_at"),
        marks=pytest.mark.negative("schema.timestamps"),
    ),
    pytest.param(
        Scenario("no-updated-at-trigger", "table shipment"), marks=pytest.mark.negative("schema.timestamps")
    ),
    pytest.param(
        Scenario("misnamed-updated-at-trigger", "trigger touch_shipment on shipment"),
        marks=pytest.mark.negative("schema.timestamps"),
    ),
    pytest.param(
        Scenario("misnamed-expression-index", "index invoice_lower_number on invoice"),
        marks=pytest.mark.negative("schema.index-names"),
    ),
    pytest.param(
        Scenario("timestamp-without-tz", "column shipment.delivered_at"),
        marks=pytest.mark.negative("schema.timestamptz-not-timestamp"),
    ),
    pytest.param(
        Scenario("json-column", "column shipment.payload"),
        marks=pytest.mark.negative("schema.jsonb-not-json"),
    ),
    pytest.param(
        Scenario("varchar-without-length-rule", "column shipment.carrier"),
        marks=pytest.mark.negative("schema.text-not-varchar"),
    ),
    pytest.param(
        Scenario("char-with-unrelated-comment", "column shipment.country"),
        marks=pytest.mark.negative("schema.text-not-varchar"),
    ),
    pytest.param(
        Scenario("tenant-without-org-id", "table shipment"),
        marks=pytest.mark.negative("schema.tenant-org-id"),
    ),
    pytest.param(
        Scenario("nullable-org-id", "column shipment.org_id"),
        marks=pytest.mark.negative("schema.tenant-org-id"),
    ),
    pytest.param(
        Scenario("org-id-without-fk", "table shipment"), marks=pytest.mark.negative("schema.tenant-org-id")
    ),
    pytest.param(
        Scenario("org-id-without-index", "table shipment"), marks=pytest.mark.negative("schema.tenant-org-id")
    ),
    pytest.param(
        Scenario("misnamed-index", "index idx_shipment_org on shipment"),
        marks=pytest.mark.negative("schema.index-names"),
    ),
    pytest.param(
        Scenario("misnamed-check", "shipment_weight_grams_check on shipment"),
        marks=pytest.mark.negative("schema.constraint-names"),
    ),
    pytest.param(
        Scenario("misnamed-unique", "shipment_tracking_key on shipment"),
        marks=pytest.mark.negative("schema.constraint-names"),
    ),
    pytest.param(
        Scenario("misnamed-fk", "shipment_org_fk on shipment"),
        marks=pytest.mark.negative("schema.constraint-names"),
    ),
    pytest.param(
        Scenario("misnamed-pk", "shipment_pkey on shipment"),
        marks=pytest.mark.negative("schema.constraint-names"),
    ),
    pytest.param(
        Scenario(
            "long-index-name-cut-by-postgres",
            "index ix_shipment_org_id_carrier_reference_number_destination_postcod on shipment",
        ),
        marks=pytest.mark.negative("schema.index-names"),
    ),
    pytest.param(
        Scenario(
            "long-names-collide",
            "foreign key fk_carrier_handover_reconciliation_exception_resolution_outcome on "
            "carrier_handover_reconciliation_exception_resolution_outcome_v1, "
            "foreign key fk_carrier_handover_reconciliation_exception_resolution_outcome on "
            "carrier_handover_reconciliation_exception_resolution_outcome_v2",
        ),
        marks=pytest.mark.negative("schema.constraint-names"),
    ),
]


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


def test_every_rule_has_a_scenario_and_every_scenario_is_used():
    assert {case.marks[0].args[0] for case in SCENARIO_CASES} == set(RULES)
    used = {case.values[0].name for case in SCENARIO_CASES} | {"valid"}
    assert used == {path.stem for path in SCENARIOS.glob("*.sql")}


def test_the_audit_reports_every_violation_not_just_the_first(scenario_conn, convention):
    for scenario in ("json-column", "misnamed-index"):
        sql = (SCENARIOS / f"{scenario}.sql").read_text()
        scenario_conn.execute(sql.replace("shipment", f"shipment_{scenario.replace('-', '_')}"))
    findings = audit(snapshot(scenario_conn), convention)
    assert sorted(f.where for f in findings) == [
        "column shipment_json_column.payload",
        "index idx_shipment_misnamed_index_org on shipment_misnamed_index",
    ]
