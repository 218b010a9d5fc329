"""Exposure: where ports are published, and what a container may touch on the host."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.compose_model import ComposeModel
from infra.compose_rules.common import RawFile, finding
from infra.findings import Finding

LOOPBACK = {"127.0.0.1", "::1"}
DOCKER_SOCKETS = {"/var/run/docker.sock", "/run/docker.sock"}


def rule_ports_loopback(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Without a host IP, Docker publishes on every interface: a dev database open to the network."""
    return [
        finding(
            "compose.ports-loopback",
            f"service {s.name}, port {p.target}",
            "host_ip 127.0.0.1 or ::1",
            f"host_ip {p.host_ip or '(all interfaces)'!s}",
            "write ports as 127.0.0.1:${PORT}:<target>",
        )
        for s in model.services.values()
        for p in s.ports
        if p.host_ip not in LOOPBACK
    ]


def raw_port_host_part(entry: Any) -> str:
    """The host-port part of a ports entry as written: `[ip:]host:container` or long syntax.

    `${VAR:?msg}` may itself contain colons, so references are set aside before splitting.
    """
    if isinstance(entry, Mapping):
        return str(entry.get("published", ""))
    refs: list[str] = []

    def hide(match: re.Match[str]) -> str:
        refs.append(match.group(0))
        return f"\0{len(refs) - 1}\0"

    hidden = re.sub(r"\$\{[^}]*\}", hide, str(entry))
    parts = hidden.rsplit(":", 2)
    host = parts[-2] if len(parts) >= 2 else ""
    return re.sub(r"\0(\d+)\0", lambda m: refs[int(m.group(1))], host)


def rule_ports_from_env(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Fixed host ports collide with whatever else runs; from the env, each stack picks its own."""
    findings = []
    for r in raw:
        for name, service in r.services().items():
            for entry in service.get("ports") or ():
                host = raw_port_host_part(entry)
                if not host.startswith("${"):
                    findings.append(
                        finding(
                            "compose.ports-from-env",
                            f"service {name} in {r.path.name}",
                            "host port from a ${VARIABLE}",
                            f"{entry!r}",
                            "use ${SERVICE_PORT:?...}",
                        )
                    )
    return findings


def rule_no_privileged(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """A privileged container is root on the host: no dev service needs that."""
    return [
        finding(
            "compose.no-privileged",
            f"service {s.name}",
            "privileged: false",
            "privileged: true",
            "remove `privileged: true`; add the one capability really needed with cap_add",
        )
        for s in model.services.values()
        if s.privileged
    ]


def rule_no_docker_sock(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Mounting the Docker socket hands the container full control of the host's engine."""
    return [
        finding(
            "compose.no-docker-sock",
            f"service {s.name}",
            "no Docker socket mounted",
            f"{m.source} mounted at {m.target}",
        )
        for s in model.services.values()
        for m in s.mounts
        if m.source in DOCKER_SOCKETS
    ]
