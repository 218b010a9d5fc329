"""Negative cases for the live checks: a real, broken stack makes each of them fail."""

import pytest

from infra.config import STARTUP_BUDGET_S
from infra.findings import only
from infra.probes.stack import health_findings, running_port_findings, startup_findings

pytestmark = [pytest.mark.infra, pytest.mark.containers]


@pytest.mark.negative(health_findings.check)
def test_unhealthy_service_fails_the_health_check(unhealthy_stack):
    status = unhealthy_stack.status()
    findings = only(health_findings(status, ["broken"]), health_findings.id)
    assert len(findings) == 1
    assert "broken" in findings[0].where
    assert findings[0].found == "'unhealthy'"


@pytest.mark.negative(health_findings.check)
def test_missing_service_fails_the_health_check(unhealthy_stack):
    findings = health_findings(unhealthy_stack.status(), ["broken", "postgres"])
    assert [f.found for f in findings] == ["'unhealthy'", "'no container'"]


@pytest.mark.negative(running_port_findings.check)
def test_port_bound_to_all_interfaces_fails(unhealthy_stack):
    status = unhealthy_stack.status()
    bindings = {name: s.ports for name, s in status.services.items()}
    findings = only(running_port_findings(bindings, status.project), running_port_findings.id)
    assert findings, bindings
    assert findings[0].found.startswith("bound to 0.0.0.0:")


@pytest.mark.negative(startup_findings.check)
@pytest.mark.budget
def test_never_healthy_service_breaks_the_startup_budget(unhealthy_stack):
    findings = only(
        startup_findings(unhealthy_stack.status(), budget_s=STARTUP_BUDGET_S), startup_findings.id
    )
    assert [f.found for f in findings] == ["never healthy"]


@pytest.mark.negative(startup_findings.check)
@pytest.mark.budget
def test_slower_than_budget_fails(live_stack):
    """The real measured start against a budget it cannot meet: the comparison must bite."""
    findings = startup_findings(live_stack.status, budget_s=0.001)
    assert {f.where.split()[1] for f in findings} == set(live_stack.status.services)
