"""The file's shape and the stack's lifecycle: project name, obsolete keys, data volumes, stopping."""

from __future__ import annotations

import re

from infra.compose.model import ComposeModel, Mount, Service
from infra.compose.rules.common import (
    DATA_PATHS,
    IMAGE_DATA_PATHS,
    STOPS_ON_SIGINT,
    RawFile,
    finding,
    minio_data_path,
    repository,
    service_kind,
)
from infra.findings import Check, Finding, produces

# Stop signals that shut each kind down cleanly; unset means the image's STOPSIGNAL (often SIGTERM).
STOP_SIGNALS = {"postgres": ("SIGINT", "SIGTERM"), None: ("SIGTERM", "SIGINT", "SIGQUIT")}
# A Redis that evicts keys under memory pressure is a cache: nothing to keep across restarts.
_EVICTING = re.compile(r"maxmemory-policy\s+(?:allkeys|volatile)-")


@produces("compose.name-set")
def rule_name_set(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """The project name is fixed (`name:`, or COMPOSE_PROJECT_NAME in the env file).

    Why: A top-level `name:` fixes the project name, so volume and network names (and so the data a
    developer finds again after `down`) do not depend on the folder the checkout happens to be in.
    """
    main = raw[0]
    if (
        main.doc.get("name")
        or any(r.doc.get("name") for r in raw)
        or model.variables.get("COMPOSE_PROJECT_NAME")
    ):
        return []
    folder = main.path.resolve().parent.name
    return [
        finding(
            check.id,
            str(main.path),
            "a top-level `name:`",
            f"no `name:` (the project would be named after the folder, {folder!r})",
            "add e.g. `name: orderflow` at the top (or COMPOSE_PROJECT_NAME in the committed .env)",
        )
    ]


@produces("compose.no-version-key")
def rule_no_version_key(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No obsolete `version:` key.

    Why: `version:` is obsolete in Compose v2 and only produces a warning; its presence means an old
    file.
    """
    return [
        finding(
            check.id,
            str(r.path),
            "no `version:` key",
            f"version: {r.doc['version']!r}",
            "delete the line",
        )
        for r in raw
        if "version" in r.doc
    ]


def covering_mount(mounts: tuple[Mount, ...], path: str) -> Mount | None:
    """The mount that holds `path`: the one on it or on its nearest parent folder."""
    holders = [m for m in mounts if path == m.target or path.startswith(m.target.rstrip("/") + "/")]
    return max(holders, key=lambda m: len(m.target), default=None)


def _describe(mount: Mount | None) -> str:
    if mount is None:
        return "nothing mounted (the data stays in the container's writable layer)"
    if mount.type == "volume" and not mount.source:
        return f"an anonymous volume at {mount.target}"
    return f"{mount.type} {mount.source or '(no source)'} at {mount.target}"


def data_path(s: Service, kind: str | None) -> str | None:
    """Where `s` keeps its data: PGDATA when set, the folder `minio server` serves, the image's own
    path (bitnami), else its kind's path; None for a cache or no data store."""
    if kind == "postgres" and s.environment.get("PGDATA"):
        return s.environment["PGDATA"]
    if kind == "minio" and minio_data_path(s):
        return minio_data_path(s)
    if kind in DATA_PATHS and repository(s.image) in IMAGE_DATA_PATHS:
        return IMAGE_DATA_PATHS[repository(s.image) or ""]
    if kind == "redis" and _EVICTING.search(" ".join([*(s.command or ()), *s.environment.values()])):
        return None
    return DATA_PATHS.get(kind) if kind else None


@produces("compose.named-volumes")
def rule_named_volumes(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Data paths are on volumes (named and declared, under dev-stack).

    Why: Data in the container layer is lost with the container; an anonymous volume is orphaned by
    `down` and a new empty one made by the next `up`. The strict policy also wants a named volume rather
    than a bind mount (root-owned files in the checkout); application stacks choose their own data
    location. Data stores are recognised by image, data path, probe or command.
    """
    findings = []
    for s in model.services.values():
        path = data_path(s, service_kind(s))
        data_mount = covering_mount(s.mounts, path) if path else None
        for m in s.mounts:
            if m.type == "volume" and not m.source and m is not data_mount:
                findings.append(
                    finding(
                        check.id,
                        f"service {s.name}, {m.target}",
                        "a named volume",
                        _describe(m),
                        "name it and declare it under top-level `volumes:`",
                        strict=True,
                    )
                )
        if path is None:
            continue
        lost = data_mount is None or (data_mount.type == "volume" and not data_mount.source)
        named = data_mount is not None and data_mount.type == "volume" and data_mount.source in model.volumes
        if lost or not named:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}, {path}",
                    "a named volume declared at top level",
                    _describe(data_mount),
                    f"mount a named volume on {path} and declare it under top-level `volumes:`",
                    strict=not lost,
                )
            )
    return findings


@produces("compose.graceful-stop")
def rule_graceful_stop(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Data stores get a stop grace period; PostgreSQL stops with SIGINT.

    Why: Without a grace period Docker sends SIGKILL after 10 s: Redis loses the writes not yet synced,
    PostgreSQL runs crash recovery at the next start. PostgreSQL wants SIGINT, its fast shutdown; the
    official image and builds FROM it already declare it (STOPSIGNAL), a vendor's build must say it.
    Stateless services lose nothing: only the strict policy asks them for a grace period, and for
    PostgreSQL's stop_signal written in the file.
    """
    findings = []
    for s in model.services.values():
        where = f"service {s.name}"
        kind = service_kind(s)
        store = kind in DATA_PATHS
        if s.stop_grace_period_s is None or s.stop_grace_period_s <= 0:
            found = "unset (Docker kills after 10s)" if s.stop_grace_period_s is None else "0s"
            findings.append(finding(check.id, where, "stop_grace_period set (> 0)", found, strict=not store))
        wanted = STOP_SIGNALS.get(kind, STOP_SIGNALS[None])
        if s.stop_signal is not None and s.stop_signal.upper() not in wanted:
            findings.append(
                finding(check.id, where, f"stop_signal one of {', '.join(wanted)}", s.stop_signal)
            )
        elif kind == "postgres" and s.stop_signal is None:
            inherited = repository(s.image) in STOPS_ON_SIGINT
            findings.append(
                finding(
                    check.id,
                    where,
                    "stop_signal: SIGINT (PostgreSQL's fast shutdown)",
                    "no stop_signal (the image's STOPSIGNAL is SIGINT)"
                    if inherited
                    else f"no stop_signal, and {s.image or 'a built image'} is not known to declare SIGINT",
                    "add `stop_signal: SIGINT`",
                    strict=inherited,
                )
            )
    return findings
