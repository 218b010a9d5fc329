"""The file's shape and the stack's lifecycle: project name, obsolete keys, data volumes, stopping."""

from __future__ import annotations

from infra.compose.model import ComposeModel, Mount
from infra.compose.rules.common import RawFile, finding, kind_of
from infra.findings import Check, Finding, produces

# Where each kind of server keeps its data (kinds by image repository: common.KINDS).
DATA_PATHS = {"postgres": "/var/lib/postgresql/data", "redis": "/data", "minio": "/data"}
# Stop signals that shut each kind down cleanly; unset means the image's STOPSIGNAL (often SIGTERM).
STOP_SIGNALS = {"postgres": ("SIGINT", "SIGTERM"), None: ("SIGTERM", "SIGINT", "SIGQUIT")}


@produces("compose.name-set")
def rule_name_set(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """The file sets a project `name:`.

    Why: A top-level `name:` fixes the project name, so volume and network names (and so the data a
    developer finds again after `down`) do not depend on the folder the checkout happens to be in.
    """
    main = raw[0]
    if main.doc.get("name"):
        return []
    folder = main.path.resolve().parent.name
    return [
        finding(
            check.id,
            str(main.path),
            "a top-level `name:`",
            f"no `name:` (the project would be named after the folder, {folder!r})",
            "add e.g. `name: orderflow` at the top",
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


@produces("compose.named-volumes")
def rule_named_volumes(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Data paths are on named volumes declared at top level.

    Why: Data in the container layer is lost with the container; an anonymous volume is orphaned by
    `down` and a new empty one made by the next `up`; a bind mount leaves root-owned files in the
    checkout. A named volume declared at top level survives `down` and is found again by `up`.
    """
    findings = []
    for s in model.services.values():
        kind = kind_of(s.image)
        data_path = DATA_PATHS.get(kind) if kind else None
        data_mount = covering_mount(s.mounts, data_path) if data_path else None
        for m in s.mounts:
            if m.type == "volume" and not m.source and m is not data_mount:
                findings.append(
                    finding(
                        check.id,
                        f"service {s.name}, {m.target}",
                        "a named volume",
                        _describe(m),
                        "name it and declare it under top-level `volumes:`",
                    )
                )
        if data_path is None:
            continue
        if data_mount is None or data_mount.type != "volume" or data_mount.source not in model.volumes:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}, {data_path}",
                    "a named volume declared at top level",
                    _describe(data_mount),
                    f"mount a named volume on {data_path} and declare it under top-level `volumes:`",
                )
            )
    return findings


@produces("compose.graceful-stop")
def rule_graceful_stop(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """`stop_grace_period` set; PostgreSQL stops with SIGINT, others with SIGTERM.

    Why: Without a grace period Docker sends SIGKILL after 10 s: Redis loses the writes not yet synced,
    PostgreSQL runs crash recovery at the next start. PostgreSQL wants SIGINT, its fast shutdown (clients
    rolled back, checkpoint, clean exit); SIGTERM, its smart shutdown, is accepted but waits for every
    client to leave. Others stop on SIGTERM (or SIGINT/SIGQUIT); unset is SIGTERM for them, while
    PostgreSQL must say SIGINT explicitly (stand-in images may not set STOPSIGNAL).
    """
    findings = []
    for s in model.services.values():
        where = f"service {s.name}"
        if s.stop_grace_period_s is None or s.stop_grace_period_s <= 0:
            found = "unset (Docker kills after 10s)" if s.stop_grace_period_s is None else "0s"
            findings.append(finding(check.id, where, "stop_grace_period set (> 0)", found))
        kind = kind_of(s.image)
        wanted = STOP_SIGNALS.get(kind, STOP_SIGNALS[None])
        if s.stop_signal is not None and s.stop_signal.upper() not in wanted:
            findings.append(
                finding(check.id, where, f"stop_signal one of {', '.join(wanted)}", s.stop_signal)
            )
        elif kind == "postgres" and s.stop_signal is None:
            findings.append(
                finding(
                    check.id,
                    where,
                    "stop_signal: SIGINT (PostgreSQL's fast shutdown)",
                    "no stop_signal (the image decides)",
                    "add `stop_signal: SIGINT`",
                )
            )
    return findings
