"""The file's shape and the stack's lifecycle: project name, obsolete keys, data volumes, stopping."""

from __future__ import annotations

from infra.compose_model import ComposeModel
from infra.compose_rules.common import RawFile, finding
from infra.compose_rules.images import parse_image_ref
from infra.findings import Finding

# Where each image keeps its data (by repository, registry and tag removed).
DATA_PATHS = {
    "postgres": "/var/lib/postgresql/data",
    "pgvector/pgvector": "/var/lib/postgresql/data",
    "redis": "/data",
    "minio/minio": "/data",
    "valkey/valkey": "/data",
}
POSTGRES_REPOS = {"postgres", "pgvector/pgvector", "postgis/postgis"}


def rule_name_set(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """A top-level `name:` fixes the project name, so volumes and networks don't depend on the folder."""
    main = raw[0]
    return (
        []
        if main.doc.get("name")
        else [
            finding(
                "compose.name-set", str(main.path), "a top-level `name:`", "none", "add `name: orderflow`"
            )
        ]
    )


def rule_no_version_key(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """`version:` is obsolete in Compose v2 and only produces a warning; its presence means an old file."""
    return [
        finding(
            "compose.no-version-key",
            str(r.path),
            "no `version:` key",
            f"version: {r.doc['version']!r}",
            "delete the line",
        )
        for r in raw
        if "version" in r.doc
    ]


def rule_named_volumes(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Data on a bind mount or an anonymous volume is lost or scattered; a named volume survives
    `down` and is found again by `up`."""
    findings = []
    for s in model.services.values():
        data_path = DATA_PATHS.get(parse_image_ref(s.image).repository) if s.image else None
        mounts = {m.target: m for m in s.mounts}
        for m in s.mounts:
            if m.type == "volume" and not m.source:
                findings.append(
                    finding(
                        "compose.named-volumes",
                        f"service {s.name}, {m.target}",
                        "a named volume",
                        "an anonymous volume",
                        "name it under `volumes:`",
                    )
                )
        if data_path is None:
            continue
        mount = mounts.get(data_path)
        if mount is None or mount.type != "volume" or mount.source not in model.volumes:
            found = "nothing mounted" if mount is None else f"{mount.type} {mount.source or '(anonymous)'}"
            findings.append(
                finding(
                    "compose.named-volumes",
                    f"service {s.name}, {data_path}",
                    "a named volume declared at top level",
                    found,
                    f"mount a named volume on {data_path}",
                )
            )
    return findings


def rule_graceful_stop(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Without a grace period Docker kills after 10 s; PostgreSQL stopped by SIGKILL recovers on the
    next start. SIGINT is its fast shutdown: clients rolled back, checkpoint, clean exit."""
    findings = []
    for s in model.services.values():
        where = f"service {s.name}"
        if s.stop_grace_period_s is None:
            findings.append(
                finding("compose.graceful-stop", where, "stop_grace_period set", "unset (10s default)")
            )
        is_postgres = bool(s.image) and parse_image_ref(s.image).repository in POSTGRES_REPOS
        wanted = ("SIGINT", "SIGTERM") if is_postgres else ("SIGTERM", "SIGINT", "SIGQUIT")
        if s.stop_signal is not None and s.stop_signal not in wanted:
            findings.append(
                finding(
                    "compose.graceful-stop", where, f"stop_signal one of {', '.join(wanted)}", s.stop_signal
                )
            )
        elif is_postgres and s.stop_signal is None:
            findings.append(
                finding(
                    "compose.graceful-stop",
                    where,
                    "stop_signal: SIGINT (fast shutdown)",
                    "unset (SIGTERM: smart shutdown waits for every client)",
                )
            )
    return findings
