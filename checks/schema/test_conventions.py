"""The convention audit at head: one check per rule of schema/CONVENTIONS.md, over the live catalog of
a scratch database migrated to head. Each failure names every offending object, says why the rule
exists and how to fix it."""

from __future__ import annotations

import pytest

from infra.audit import RULES
from infra.findings import Finding, only, render_all

pytestmark = [pytest.mark.infra, pytest.mark.audit, pytest.mark.schema]


def assert_no_violation(findings: list[Finding], rule_id: str) -> None:
    __tracebackhide__ = True
    mine = only(findings, rule_id)
    if mine:
        rule = RULES[rule_id]
        pytest.fail(f"{rule.title}\n{render_all(mine)}\nwhy: {rule.why}\nfix: {rule.fix}", pytrace=False)


@pytest.mark.check("schema.table-name")
def test_table_names(head_findings):
    """Table names are snake_case and singular."""
    assert_no_violation(head_findings, "schema.table-name")


@pytest.mark.check("schema.column-name")
def test_column_names(head_findings):
    """Column names are snake_case."""
    assert_no_violation(head_findings, "schema.column-name")


@pytest.mark.check("schema.pk-uuid-id")
def test_primary_keys_are_uuid_ids(head_findings):
    """The primary key is `id uuid DEFAULT gen_random_uuid()`, alone."""
    assert_no_violation(head_findings, "schema.pk-uuid-id")


@pytest.mark.check("schema.timestamps")
def test_timestamps(head_findings):
    """created_at / updated_at timestamptz NOT NULL DEFAULT now(), updated_at kept by its trigger."""
    assert_no_violation(head_findings, "schema.timestamps")


@pytest.mark.check("schema.tenant-org-id")
def test_tenant_tables_carry_org_id(head_findings):
    """org_id uuid NOT NULL, a foreign key to org(id), and an index led by org_id, on every table but org."""
    assert_no_violation(head_findings, "schema.tenant-org-id")


@pytest.mark.check("schema.constraint-names")
def test_constraint_names(head_findings):
    """Constraint names are the convention's, after shortening, with no collisions."""
    assert_no_violation(head_findings, "schema.constraint-names")


@pytest.mark.check("schema.index-names")
def test_index_names(head_findings):
    """Index names are the convention's, after shortening, with no collisions."""
    assert_no_violation(head_findings, "schema.index-names")


@pytest.mark.check("schema.jsonb-not-json")
def test_jsonb_not_json(head_findings):
    assert_no_violation(head_findings, "schema.jsonb-not-json")


@pytest.mark.check("schema.timestamptz-not-timestamp")
def test_timestamptz_not_timestamp(head_findings):
    assert_no_violation(head_findings, "schema.timestamptz-not-timestamp")


@pytest.mark.check("schema.text-not-varchar")
def test_text_not_varchar(head_findings):
    """varchar(n) / char(n) only where a column comment states a `length-rule:`."""
    assert_no_violation(head_findings, "schema.text-not-varchar")


def test_the_audit_saw_the_schema(head_catalog):
    """Guards the checks above against passing vacuously: head has tables to audit."""
    assert head_catalog.tables, "upgrade head built no table in public"
