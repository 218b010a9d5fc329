"""The convention audit at head: one check per rule of schema/CONVENTIONS.md, over the live catalog of
a scratch database migrated to head. Each failure names every offending object, says why the rule
exists and how to fix it."""

from __future__ import annotations

import pytest

from infra.audit import RULES, Rule
from infra.findings import Finding, only, render_all

pytestmark = [pytest.mark.infra, pytest.mark.audit, pytest.mark.schema]


@pytest.mark.parametrize(
    "rule", [pytest.param(rule, marks=pytest.mark.check(rule.check), id=rule.id) for rule in RULES.values()]
)
def test_convention_rule_holds_at_head(head_findings: list[Finding], rule: Rule) -> None:
    """Each rule of schema/CONVENTIONS.md holds on the schema at head; a failure names every offending
    object, why the rule exists and how to fix it."""
    mine = only(head_findings, rule)
    if mine:
        pytest.fail(f"{rule.title}\n{render_all(mine)}\nwhy: {rule.why}\nfix: {rule.fix}", pytrace=False)
