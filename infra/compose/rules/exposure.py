"""Exposure: where ports are published, and what a container may touch on the host."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.compose.model import LOOPBACK, ComposeModel
from infra.compose.rules.common import RawFile, finding, service_kind, written_value
from infra.findings import Check, Finding, produces

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
HOST_NAMESPACE_KEYS = ("network_mode", "pid", "ipc", "userns_mode", "uts")


# Servers whose port is for the application's own services, never for the network. An object
# store's API is often a public entry on purpose (browsers fetch presigned URLs from it). A database
# GUI (pgAdmin, adminer, Prisma Studio) opens the database to whoever reaches it.
_PRIVATE_KINDS = frozenset({"postgres", "redis", "clickhouse", "db-gui"})


@produces("compose.ports-loopback")
def rule_ports_loopback(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Published ports of databases, caches and database GUIs bind 127.0.0.1 (or ::1); under dev-stack,
    every port.

    Why: Without a host IP, Docker publishes on every interface: a database open to the network. An
    application's web entry is public on purpose; the strict policy holds every port to loopback unless
    the file declares it public (`x-orderflow-lint` with a reason).
    """
    findings = []
    for s in model.services.values():
        written = written_value(raw, s.name, "ports") or []
        for index, p in enumerate(s.ports):
            if p.host_ip in LOOPBACK:
                continue
            entry = written[index] if len(written) == len(s.ports) else None
            as_written = f" (written {entry!r})" if isinstance(entry, str) and "$" in entry else ""
            bound = p.host_ip or "(all interfaces)"
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}, port {p.target}",
                    "host_ip 127.0.0.1 or ::1",
                    f"host_ip {bound}, published {p.published or '(any)'}{as_written}",
                    "write ports as 127.0.0.1:${PORT}:<target>",
                    strict=service_kind(s) not in _PRIVATE_KINDS,
                )
            )
    return findings


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


@produces("compose.ports-from-env")
def rule_ports_from_env(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Host ports come from environment variables (dev-stack).

    Why: Fixed host ports collide with whatever else runs (a second stack, a local server); from the
    env, each stack, and the harness's isolated test stack, picks its own. Read from the raw file: the
    normalized model has already replaced the variable with its value.
    """
    findings = []
    for r in raw:
        for name, service in r.services().items():
            for entry in service.get("ports") or ():
                host = raw_port_host_part(entry)
                if not host.startswith("${"):
                    findings.append(
                        finding(
                            check.id,
                            f"service {name} in {r.path.name}",
                            "host port from a ${VARIABLE}",
                            f"ports entry {entry!r}" + ("" if host else " (no host port: Docker picks one)"),
                            "write e.g. 127.0.0.1:${REDIS_PORT:?set REDIS_PORT}:6379",
                            strict=True,
                        )
                    )
    return findings


@produces("compose.no-privileged")
def rule_no_privileged(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No privileged containers.

    Why: A privileged container is root on the host: no dev service needs that.
    """
    return [
        finding(
            check.id,
            f"service {s.name}",
            "privileged: false",
            "privileged: true",
            "remove `privileged: true`; add the one capability really needed with cap_add",
        )
        for s in model.services.values()
        if s.privileged
    ]


def exposes_docker_socket(source: str) -> bool:
    """Whether a bind mount of host path `source` puts the Docker socket in the container (the
    socket itself, or a folder holding it: /var/run, /run, /var, /)."""
    path = "/" + source.strip("/")
    return any(sock == path or sock.startswith(path.rstrip("/") + "/") for sock in DOCKER_SOCKETS)


@produces("compose.no-docker-sock")
def rule_no_docker_sock(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """The Docker socket is not mounted.

    Why: Mounting the Docker socket hands the container full control of the host's engine: root on the
    host for anyone who gets into the container.
    """
    return [
        finding(
            check.id,
            f"service {s.name}",
            "no Docker socket mounted",
            f"host {m.source} mounted at {m.target}",
            "remove the mount; nothing in a dev data stack needs the engine",
        )
        for s in model.services.values()
        for m in s.mounts
        if m.type == "bind" and exposes_docker_socket(m.source)
    ]


@produces("compose.no-host-namespaces")
def rule_no_host_namespaces(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No `network_mode: host` (nor host pid/ipc/uts/userns).

    Why: `network_mode: host` skips port publishing altogether: the server listens on every host
    interface and the loopback rule has nothing to check. `pid`/`ipc`/`uts`/`userns_mode: host` let the
    container see or signal the host's processes.
    """
    return [
        finding(
            check.id,
            f"service {name} in {r.path.name}",
            f"no `{key}: host`",
            f"{key}: {service[key]}",
            "remove it; publish ports on 127.0.0.1 instead",
        )
        for r in raw
        for name, service in r.services().items()
        for key in HOST_NAMESPACE_KEYS
        if str(service.get(key, "")).strip() == "host"
    ]
