"""Probes of the running stack, as pure functions over what the engine reports, returning findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infra.compose.model import LOOPBACK
from infra.findings import Check, Finding, produces
from infra.stack.lifecycle import StackStatus


@produces("live.service-healthy")
def health_findings(check: Check, status: StackStatus, expected: Iterable[str]) -> list[Finding]:
    """Every service reaches healthy.

    Why: A service whose health check never passes is not usable, whatever `docker ps` says.
    """
    findings = []
    for name in expected:
        service = status.services.get(name)
        state = service.state if service else "no container"
        if state != "healthy":
            findings.append(
                Finding(
                    check.id,
                    f"service {name} of {status.project}",
                    "health status 'healthy'",
                    repr(state),
                    "read `python -m infra status` and the health-check log",
                )
            )
    return findings


@produces("live.ports-loopback-running")
def running_port_findings(
    check: Check, bindings: Mapping[str, Mapping[str, str]], project: str
) -> list[Finding]:
    """Published ports are bound to loopback as running.

    Why: The engine, not the file, decides what is reachable from the network; read it from the engine.
    """
    findings = []
    for service, ports in bindings.items():
        for container_port, binding in ports.items():
            host = binding.rpartition(":")[0].strip("[]")
            if host not in LOOPBACK:
                findings.append(
                    Finding(
                        check.id,
                        f"service {service} of {project}, {container_port}",
                        "bound to 127.0.0.1 or ::1",
                        f"bound to {binding}",
                        "publish as 127.0.0.1:${PORT}:<container port>",
                    )
                )
    return findings


@produces("budget.startup")
def startup_findings(check: Check, status: StackStatus, budget_s: float) -> list[Finding]:
    """The stack is healthy within the seed's 2-minute budget.

    Why: The seed promises a full dev environment in under 2 minutes; a slow start is a product bug.
    """
    findings = []
    for name, service in status.services.items():
        took = service.healthy_after_s
        if took is None or took > budget_s:
            found = "never healthy" if took is None else f"healthy after {took:.1f}s"
            findings.append(
                Finding(
                    check.id,
                    f"service {name} of {status.project}",
                    f"healthy within {budget_s:.0f}s",
                    found,
                )
            )
    return findings
