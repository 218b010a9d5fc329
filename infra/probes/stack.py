"""Probes of the running stack, as pure functions over what the engine reports, returning findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infra.findings import Finding
from infra.stack.lifecycle import StackStatus

LOOPBACK = {"127.0.0.1", "::1"}


def health_findings(status: StackStatus, expected: Iterable[str]) -> list[Finding]:
    """Every expected service exists and its health status is `healthy`."""
    findings = []
    for name in expected:
        service = status.services.get(name)
        state = service.state if service else "no container"
        if state != "healthy":
            findings.append(
                Finding(
                    "live.service-healthy",
                    f"service {name} of {status.project}",
                    "health status 'healthy'",
                    repr(state),
                    "read `python -m infra status` and the health-check log",
                )
            )
    return findings


def running_port_findings(bindings: Mapping[str, Mapping[str, str]], project: str) -> list[Finding]:
    """`bindings`: service -> {"5432/tcp": "HostIp:HostPort"} as the engine reports them."""
    findings = []
    for service, ports in bindings.items():
        for container_port, binding in ports.items():
            host = binding.rpartition(":")[0].strip("[]")
            if host not in LOOPBACK:
                findings.append(
                    Finding(
                        "live.ports-loopback-running",
                        f"service {service} of {project}, {container_port}",
                        "bound to 127.0.0.1 or ::1",
                        f"bound to {binding}",
                        "publish as 127.0.0.1:${PORT}:<container port>",
                    )
                )
    return findings


def startup_findings(status: StackStatus, budget_s: float) -> list[Finding]:
    """Every service healthy within `budget_s` seconds of `up`, measured from Docker events."""
    findings = []
    for name, service in status.services.items():
        took = service.healthy_after_s
        if took is None or took > budget_s:
            found = "never healthy" if took is None else f"healthy after {took:.1f}s"
            findings.append(
                Finding(
                    "budget.startup",
                    f"service {name} of {status.project}",
                    f"healthy within {budget_s:.0f}s",
                    found,
                )
            )
    return findings
