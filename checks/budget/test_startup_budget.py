"""The seed's startup budget, measured per service from Docker events."""

import pytest

from infra.findings import render_all
from infra.probes.stack import startup_findings

pytestmark = [pytest.mark.infra, pytest.mark.budget]


@pytest.mark.check(startup_findings.check)
def test_stack_healthy_within_seed_budget(live_stack, budgets, record_property):
    """The seed promises a full dev environment in under 2 minutes; a slow start is a product bug.
    Its figure (all healthy, from Docker events) goes into the report, pass or fail."""
    record_property("startup_s", f"{live_stack.status.total_s} (budget {budgets.startup_s:g})")
    findings = startup_findings(live_stack.status, budgets.startup_s)
    assert not findings, render_all(findings)
