"""Probes inside the running containers, through testinfra's docker backend (`docker exec`).

What each service's container must look like from the inside: the expected server is the main
process, it does not run as root (unless the image documents that it must), it owns its data
directories, and it listens on its container ports. Sockets and processes are read from /proc
(parsed by `infra.probes.procfs`), never with `ss`, `netstat` or `ps`, which minimal images lack.

The expectations are data, in the tables below, each entry with its reason: a reader can see
what is expected of which image and why, and the offline stand-ins' differences are stated here
rather than hidden in conditionals.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import testinfra

from infra.compose.imageref import parse_image_ref
from infra.compose.model import Service
from infra.findings import Check, Finding, produces
from infra.probes.procfs import (
    PROCESS_MARK,
    ProcessInfo,
    TcpSocket,
    listeners,
    main_process,
    parse_proc_net_tcp,
    parse_process_dump,
)

# service -> profile -> the kernel's name (comm) of the server process.
MAIN_PROCESS: Mapping[str, Mapping[str, str]] = {
    "postgres": {"upstream": "postgres", "offline": "postgres"},
    "redis": {"upstream": "redis-server", "offline": "redis-server"},
    "minio": {"upstream": "minio", "offline": "minio"},
}

# image repository -> why its main process may run as root.
ROOT_ALLOWED: Mapping[str, str] = {
    "minio/minio": "the MinIO image sets no USER and the compose file no `user:`; MinIO runs as root "
    "by default (running it as another user needs `user:` and a data volume owned by that user)",
}

_PROCESS_DUMP = (
    'for d in /proc/[0-9]*; do [ -r "$d/status" ] || continue; '
    f'echo "{PROCESS_MARK}${{d#/proc/}}"; cat "$d/status" 2>/dev/null; '
    "printf 'Cmdline:\\t'; cat \"$d/cmdline\" 2>/dev/null; echo; done"
)
_TCP6_MARK = "@@tcp6"
_SOCKET_DUMP = f"cat /proc/net/tcp; echo {_TCP6_MARK}; cat /proc/net/tcp6 2>/dev/null || true"


@dataclass(frozen=True)
class ContainerTarget:
    """One container to look into, and what it stands for."""

    service: str
    container: str  # the container's name, for `docker exec`
    image: str
    profile: str  # "upstream" or "offline": which expectations apply

    @property
    def where(self) -> str:
        return f"service {self.service} (container {self.container}, image {self.image})"

    def host(self) -> Any:
        """The testinfra host for this container (docker backend, the image's default user)."""
        return testinfra.get_host(f"docker://{self.container}")


@dataclass(frozen=True)
class Verdict:
    """Findings, plus the deviations a documented allowance accepted (each with its reason)."""

    findings: list[Finding] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)


def data_paths(service: Service) -> tuple[str, ...]:
    """Where a service keeps its data: its named-volume mount points, and PGDATA when set."""
    paths = [m.target for m in service.mounts if m.type == "volume"]
    pgdata = service.environment.get("PGDATA")
    if pgdata and pgdata not in paths:
        paths.append(pgdata)
    return tuple(paths)


# --- reading (I/O through testinfra) ----------------------------------------------------------


def read_processes(target: ContainerTarget) -> dict[int, ProcessInfo]:
    """Every process in the container, from /proc (no `ps` needed)."""
    result = target.host().run(_PROCESS_DUMP)
    return parse_process_dump(result.stdout)


def read_sockets(target: ContainerTarget) -> list[TcpSocket]:
    """Every TCP socket of the container's network namespace, IPv4 and IPv6, from /proc/net."""
    out = target.host().check_output(_SOCKET_DUMP)
    tcp4, _, tcp6 = out.partition(_TCP6_MARK)
    return parse_proc_net_tcp(tcp4, 4) + parse_proc_net_tcp(tcp6, 6)


@dataclass(frozen=True)
class PathOwner:
    path: str
    exists: bool
    is_directory: bool = False
    uid: int | None = None
    user: str | None = None


def read_owners(target: ContainerTarget, paths: Iterable[str]) -> list[PathOwner]:
    """Owner and type of each path: one `stat` inside the container (testinfra's File module would
    spend four `docker exec` round trips per path); a path stat cannot see is reported missing."""
    wanted = list(paths)
    if not wanted:
        return []
    out = target.host().run("stat -c '%u|%U|%F|%n' -- " + " ".join(shlex.quote(p) for p in wanted)).stdout
    return parse_stat(out, wanted)


def parse_stat(text: str, paths: Sequence[str]) -> list[PathOwner]:
    """PathOwners from `stat -c '%u|%U|%F|%n'` lines, in the order of `paths`."""
    seen: dict[str, PathOwner] = {}
    for line in text.splitlines():
        parts = line.split("|", 3)
        if len(parts) == 4 and parts[0].isdigit():
            uid, user, kind, path = parts
            seen[path] = PathOwner(path, True, kind == "directory", int(uid), user)
    return [seen.get(path, PathOwner(path, exists=False)) for path in paths]


# --- judging (pure) ---------------------------------------------------------------------------


def _no_process(target: ContainerTarget, check_id: str, expected: str) -> Finding:
    return Finding(
        check_id, target.where, expected, "no readable PID 1 in /proc", "is the container running?"
    )


@produces("containers.main-process")
def main_process_findings(
    check: Check, target: ContainerTarget, processes: Mapping[int, ProcessInfo]
) -> list[Finding]:
    """The container's main process (PID 1, or an init shim's child) is the server it exists for.

    Why: a container that is up and healthy can still be running the wrong thing — a shell that
    sleeps, a debug command left in `command:`, a wrapper that forked the server and stays PID 1
    (so SIGTERM never reaches the server, which is then killed without a clean shutdown).
    """
    check_id = check.id
    wanted = MAIN_PROCESS.get(target.service, {}).get(target.profile)
    if wanted is None:
        return [
            Finding(
                check_id,
                target.where,
                "a declared main process for this service and profile",
                f"no entry for ({target.service!r}, {target.profile!r})",
                "add it to MAIN_PROCESS in infra/probes/containers.py",
            )
        ]
    main = main_process(dict(processes))
    if main is None:
        return [_no_process(target, check_id, f"main process {wanted!r}")]
    if main.name != wanted:
        return [
            Finding(
                check_id,
                target.where,
                f"main process {wanted!r} (profile {target.profile})",
                main.render(),
                "check the service's `command:`/`entrypoint:`; an entry-point script must `exec` the server",
            )
        ]
    return []


@produces("containers.non-root")
def non_root_verdict(check: Check, target: ContainerTarget, processes: Mapping[int, ProcessInfo]) -> Verdict:
    """The main process holds no root uid (real, effective, saved or filesystem).

    Why: a server running as root turns any code-execution bug into root in the container, with the
    engine's default capabilities and every file of every mounted volume writable.
    """
    check_id = check.id
    main = main_process(dict(processes))
    if main is None:
        return Verdict([_no_process(target, check_id, "a non-root main process")])
    if not main.any_root:
        return Verdict()
    try:
        repository = parse_image_ref(target.image).repository
    except ValueError:
        repository = target.image
    reason = ROOT_ALLOWED.get(repository)
    if reason:
        return Verdict(allowed=[f"{target.service} runs as root, allowed for image {repository}: {reason}"])
    return Verdict(
        [
            Finding(
                check_id,
                target.where,
                "main process runs as a non-root user (no uid 0 among real/effective/saved/fs)",
                main.render(),
                "use an image with a USER, or set `user:` in the compose file",
            )
        ]
    )


@produces("containers.data-dir-owner")
def data_dir_findings(
    check: Check, target: ContainerTarget, processes: Mapping[int, ProcessInfo], owners: Sequence[PathOwner]
) -> list[Finding]:
    """Every data directory exists and is owned by the user the main process runs as.

    Why: a volume created or restored as another user (root, a different uid after an image change)
    makes the server fail at its first write, or refuse to start (PostgreSQL demands to own PGDATA).
    """
    check_id = check.id
    main = main_process(dict(processes))
    if main is None:
        return [_no_process(target, check_id, "a main process whose user owns the data directories")]
    findings = []
    for owner in owners:
        wanted = f"{owner.path}: a directory owned by uid {main.uid} (the main process's user)"
        if not owner.exists or not owner.is_directory:
            found = "missing" if not owner.exists else "not a directory"
            findings.append(Finding(check_id, target.where, wanted, found, "check the volume's mount point"))
        elif owner.uid != main.uid:
            findings.append(
                Finding(
                    check_id,
                    target.where,
                    wanted,
                    f"owned by uid {owner.uid} ({owner.user})",
                    f"chown the volume's contents to uid {main.uid}, or run the server as its owner",
                )
            )
    if not owners:
        findings.append(
            Finding(check_id, target.where, "at least one data directory (named volume)", "none declared")
        )
    return findings


@produces("containers.listening")
def listening_verdict(
    check: Check, target: ContainerTarget, sockets: Sequence[TcpSocket], port: int
) -> Verdict:
    """A socket LISTENs on the container port, on an address the published port can reach.

    Why: Docker forwards a published port to the container's own address; a server that has not
    started, listens on another port, or binds 127.0.0.1 inside the container leaves the host port
    open but answering nothing — a failure `docker ps` does not show.
    """
    check_id = check.id
    found = listeners(sockets, port)
    reachable = [s for s in found if not s.loopback_only]
    if reachable:
        return Verdict()
    listening = sorted({s.render() for s in sockets if s.listening}) or ["nothing"]
    seen = (
        f"LISTEN only on loopback ({', '.join(s.render() for s in found)}): "
        "unreachable from the published port"
        if found
        else f"no LISTEN socket on port {port}; listening: {', '.join(listening)}"
    )
    return Verdict(
        [
            Finding(
                check_id,
                target.where,
                f"{port}/tcp in LISTEN state on a non-loopback address inside the container",
                seen,
                "compare the server's port/bind settings with the compose port mapping",
            )
        ]
    )
