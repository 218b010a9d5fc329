"""What the engine says about a stack's containers, as dataclasses and masked text.

Every read tolerates a container removed meanwhile (the engine answers 404 or 409): diagnostics are
gathered while a failed stack is being torn down, and a race there must not replace the real error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from infra.masking import cut


@dataclass(frozen=True)
class ServiceStatus:
    state: str  # healthy, unhealthy, starting, running, exited...
    healthy_after_s: float | None = None
    ports: Mapping[str, str] = field(default_factory=dict)  # "5432/tcp" -> "127.0.0.1:49153"
    exit_code: int | None = None  # when exited
    last_error: str = ""  # last stderr line when exited, secrets masked

    def describe(self) -> str:
        if self.exit_code is None:
            return self.state
        return f"{self.state} (exit {self.exit_code})" + (f": {self.last_error}" if self.last_error else "")


@dataclass(frozen=True)
class StackStatus:
    profile: str
    project: str
    total_s: float | None
    services: Mapping[str, ServiceStatus]
    recreated: tuple[str, ...] = ()  # services whose containers `up` replaced (configuration changed)

    @property
    def all_healthy(self) -> bool:
        return bool(self.services) and all(s.state == "healthy" for s in self.services.values())


def _last_stderr_line(container: Any, secrets: Iterable[str]) -> str:
    try:
        text = container.logs(stdout=False, stderr=True, tail=20).decode(errors="replace")
    except docker.errors.APIError:
        return ""
    lines = [line for line in text.splitlines() if line.strip()]
    return cut(lines[-1].strip(), secrets, 200) if lines else ""


def service_status(container: Any, healthy_after_s: float | None, secrets: Iterable[str]) -> ServiceStatus:
    """State (health when it has one), published ports, and for an exited container its exit code
    and last stderr line."""
    state = container.attrs["State"]
    health = (state.get("Health") or {}).get("Status")
    ports = {
        key: f"{b['HostIp']}:{b['HostPort']}"
        for key, bindings in (container.attrs["NetworkSettings"]["Ports"] or {}).items()
        for b in bindings or ()
    }
    exited = state["Status"] in ("exited", "dead")
    return ServiceStatus(
        state=state["Status"] if exited else health or state["Status"],
        healthy_after_s=healthy_after_s,
        ports=ports,
        exit_code=state.get("ExitCode") if exited else None,
        last_error=_last_stderr_line(container, secrets) if exited else "",
    )


def container_diagnostics(name: str, container: Any, secrets: Iterable[str], log_lines: int = 20) -> str:
    """Health-check log and last log lines of one container; output masked before it is cut."""
    try:
        health = container.attrs["State"].get("Health") or {}
        checks = [
            f"    exit {h.get('ExitCode')}: {cut(str(h.get('Output', '')).strip(), secrets, 200)}"
            for h in (health.get("Log") or [])[-3:]
        ]
        logs = container.logs(tail=log_lines).decode(errors="replace").rstrip()
    except docker.errors.APIError as exc:  # removed or being removed meanwhile (404/409)
        return f"--- {name}: gone while reading its diagnostics ({exc.status_code})"
    return (
        f"--- {name}: {container.status}, health {health.get('Status', 'n/a')}, "
        f"restarts {container.attrs.get('RestartCount', 0)}\n  health-check log:\n"
        + ("\n".join(checks) or "    (none)")
        + f"\n  last {log_lines} log lines:\n"
        + "\n".join(f"    {x}" for x in logs.splitlines())
    )
