"""Hardening that every service needs: a memory limit, dropped privileges, rotated logs, no fixed
container name."""

from __future__ import annotations

from infra.compose.model import ComposeModel, Service
from infra.compose.rules.common import RawFile, finding, is_one_shot
from infra.findings import Check, Finding, produces

_NO_NEW_PRIVILEGES = frozenset({"no-new-privileges", "no-new-privileges:true", "no-new-privileges=true"})
# Drivers that keep logs on the host's disk and need a size limit; `local` rotates by default,
# syslog/journald/fluentd/none hand them elsewhere.
_DISK_DRIVERS = frozenset({"json-file"})


@produces("compose.memory-limit")
def rule_memory_limit(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Every service has a memory limit.

    Why: Without a memory limit one leaking or overloaded service takes the host's memory and the
    kernel's OOM killer picks a victim, maybe the database. A one-shot init job is exempt.
    """
    return [
        finding(
            check.id,
            f"service {s.name}",
            "a memory limit (mem_limit or deploy.resources.limits.memory)",
            "none",
            "add e.g. `mem_limit: 512m`, sized from the service's measured use",
        )
        for s in model.services.values()
        if s.memory_limit is None and not is_one_shot(model, s.name)
    ]


def missing_privilege_drops(s: Service) -> list[str]:
    missing = []
    if not {o.replace(" ", "") for o in s.security_opt} & _NO_NEW_PRIVILEGES:
        missing.append("security_opt no-new-privileges:true")
    if "ALL" not in {c.upper() for c in s.cap_drop}:
        missing.append("cap_drop: [ALL]")
    return missing


@produces("compose.privileges-dropped")
def rule_privileges_dropped(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Services run with no-new-privileges and cap_drop: [ALL].

    Why: A container keeps Docker's default capabilities and may gain more through setuid binaries;
    `no-new-privileges` and `cap_drop: [ALL]` (adding back only what the entrypoint needs) shrink what
    an intruder can do.
    """
    findings = []
    for s in model.services.values():
        missing = missing_privilege_drops(s)
        if missing:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    "security_opt no-new-privileges:true and cap_drop: [ALL]",
                    "missing " + " and ".join(missing),
                    "add both; cap_add back what the image needs (postgres: CHOWN, SETUID, SETGID, ...)",
                )
            )
    return findings


@produces("compose.log-rotation")
def rule_log_rotation(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Container logs are rotated.

    Why: Docker's default json-file driver never rotates: a chatty service fills the host's disk. A
    one-shot init job's few lines are exempt.
    """
    findings = []
    for s in model.services.values():
        driver = str(s.logging.get("driver") or "json-file")
        options = s.logging.get("options") or {}
        if driver in _DISK_DRIVERS and "max-size" not in options and not is_one_shot(model, s.name):
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    "logging with a max-size (json-file) or the `local` driver",
                    f"driver {driver} without max-size"
                    if s.logging
                    else "Docker's default json-file, unrotated",
                    'add logging: {driver: json-file, options: {max-size: "10m", max-file: "3"}}',
                )
            )
    return findings


@produces("compose.no-container-name")
def rule_no_container_name(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No fixed container_name.

    Why: A fixed container_name exists once per machine: a second checkout, a CI job or the harness's
    `--isolated` stack cannot start beside it, and the service cannot be scaled.
    """
    return [
        finding(
            check.id,
            f"service {s.name}",
            "no container_name (Compose names containers after the project)",
            f"container_name: {s.container_name}",
            "delete it; refer to the service by its name on the network",
        )
        for s in model.services.values()
        if s.container_name
    ]
