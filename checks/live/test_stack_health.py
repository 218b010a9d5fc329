"""The running stack: every service healthy, ports bound to loopback as the engine reports them."""

import pytest

from infra.findings import render_all
from infra.probes.stack import health_findings, running_port_findings

pytestmark = [pytest.mark.infra, pytest.mark.live]


@pytest.mark.check(health_findings.check)
def test_every_service_healthy(live_stack):
    """A service whose health check never passes is not usable, whatever `docker ps` says."""
    status = live_stack.stack.status()
    findings = health_findings(status, live_stack.stack.model.services)
    assert not findings, render_all(findings)


@pytest.mark.check(running_port_findings.check)
def test_published_ports_bound_to_loopback(live_stack):
    """The file can say 127.0.0.1 and the engine still bind 0.0.0.0 (an override, a CLI flag):
    read the bindings from the running containers."""
    status = live_stack.stack.status()
    bindings = {name: s.ports for name, s in status.services.items()}
    assert any(bindings.values()), f"no published ports found on {status.project}"
    findings = running_port_findings(bindings, status.project)
    assert not findings, render_all(findings)
