"""Health checks: present, well-formed, and unable to pass before the service is ready."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.compose.model import ComposeModel, HealthCheck, Service
from infra.compose.rules.common import RawFile, finding, is_one_shot, service_kind
from infra.findings import Check, Finding, produces

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_PG_PROBE = re.compile(r"\b(pg_isready|psql)\b")
_PG_HOST = re.compile(r"(?<!\S)(?:-h\s*|--host[=\s]\s*)(['\"]?)([^\s'\"]+)\1")
_REDIS_PROBE = re.compile(r"\b(redis-cli|valkey-cli)\b")
# The reply compared with PONG: `| grep [-qx] PONG`, `= PONG`, `== "PONG"`, `"PONG" =`.
_PONG_COMPARED = re.compile(r"\|\s*grep\b[^|;&]*\bPONG\b|==?\s*['\"]?PONG\b|\bPONG['\"]?\s*==?")


def has_health_check(model: ComposeModel, s: Service) -> bool:
    """A check that runs: written in the file, or the image's own when not disabled (the image
    inspected, its build context's Dockerfile, or a well-known image: infra.compose.shipped)."""
    if s.healthcheck is not None and s.healthcheck.disabled:
        return False
    if s.healthcheck is not None and not s.healthcheck.inherits_image:
        return True
    return s.name in model.shipped_healthchecks


@produces("compose.healthcheck-present")
def rule_healthcheck_present(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Every service has an enabled health check (its own, or its image's).

    Why: Without a health check, `up --wait` and `depends_on: service_healthy` cannot tell started from
    ready (a one-shot job needs none: a migrator, an init container). An image that ships a HEALTHCHECK
    (inspected when present, its build context's Dockerfile, a table of well-known images) has one
    unless the file disables it; the strict policy wants it written in the file all the same (an
    image's own changes with the image).
    """
    findings = []
    for s in model.services.values():
        written = (
            s.healthcheck is not None and not s.healthcheck.inherits_image and not s.healthcheck.disabled
        )
        if written or is_one_shot(model, s.name):
            continue
        shipped = has_health_check(model, s)
        if s.healthcheck is not None and s.healthcheck.disabled:
            found = "healthcheck disabled (`disable: true` or test NONE)"
        elif shipped:
            found = f"none written (the image's own runs: {model.shipped_healthchecks[s.name]})"
        else:
            found = "no healthcheck"
        findings.append(
            finding(
                check.id,
                f"service {s.name}",
                "an enabled health check",
                found,
                "add a `healthcheck:` that probes the service itself",
                strict=shipped,
            )
        )
    return findings


def _raw_healthcheck(raw: list[RawFile], service: str) -> Mapping[str, Any]:
    """The service's `healthcheck:` keys as written, later files overriding earlier ones."""
    merged: dict[str, Any] = {}
    for r in raw:
        hc = r.services().get(service, {}).get("healthcheck")
        if isinstance(hc, Mapping):
            merged.update(hc)
    return merged


def wellformed_problems(hc: HealthCheck, written: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """(expected, found, strict-only) for each way `hc` is malformed; `written` is its raw mapping.

    A timeout at or above the interval is no defect: Docker never runs two probes of one container
    at once (the interval starts when the previous probe ends). Keys the file did not write are
    Compose's defaults and judged only by the health budget.
    """
    problems: list[tuple[str, str, bool]] = []
    if hc.inherits_image:
        return problems
    if not hc.test or hc.test[0] not in ("CMD", "CMD-SHELL"):
        problems.append(("test in CMD or CMD-SHELL form", f"test {list(hc.test)!r}", False))
    if "start_period" not in hc.written or hc.start_period_s <= 0:
        text, resolved = written.get("start_period"), f"{hc.start_period_s:g}s"
        as_written = "" if text is None or str(text) == resolved else f" (written {text})"
        found = "no start_period" if text is None else f"start_period {resolved}{as_written}"
        problems.append(("start_period set explicitly (> 0)", found, True))
    if hc.retries < 1:
        problems.append(("retries >= 1", f"retries: {hc.retries}", False))
    return problems


@produces("compose.healthcheck-wellformed")
def rule_healthcheck_wellformed(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Health checks use CMD/CMD-SHELL and retries >= 1; under dev-stack an explicit start_period.

    Why: A test outside CMD/CMD-SHELL form is not run as meant; zero retries make one slow probe fatal;
    under the strict policy the start_period is written, not left to Compose's default of 0.
    """
    return [
        finding(check.id, f"service {s.name}", expected, found, strict=strict)
        for s in model.services.values()
        if s.healthcheck is not None and not s.healthcheck.disabled
        for expected, found, strict in wellformed_problems(s.healthcheck, _raw_healthcheck(raw, s.name))
    ]


def early_pass_problem(test: tuple[str, ...], kind: str | None) -> str | None:
    """Why the health check `test` could pass before the server is ready, or None.

    PostgreSQL: while the entrypoint runs initdb and the init scripts, its temporary server listens
    on the unix socket only (`listen_addresses=''`), so `pg_isready`/`psql` must go over TCP on
    loopback (`-h 127.0.0.1`); a socket probe passes during initialisation.
    Redis: `redis-cli` exits 0 on error replies (NOAUTH, LOADING, ...), so its exit status means
    nothing; the reply must be compared with PONG in a shell (`| grep -qx PONG`). CMD form has no
    shell, so a Redis probe there cannot compare anything.
    `kind` ("postgres", "redis", or None) requires such a probe for that server's images.
    """
    form, command = (test[0], " ".join(test[1:])) if test else ("", "")
    pg = _PG_PROBE.search(command)
    if pg:
        host = _PG_HOST.search(command)
        if host is None:
            return f"{pg.group(1)} without -h: it probes the unix socket, which the initdb-time server serves"
        if host.group(2) not in LOOPBACK_HOSTS:
            return f"{pg.group(1)} -h {host.group(2)}: not TCP on loopback (use -h 127.0.0.1)"
    elif kind == "postgres":
        return "a PostgreSQL image whose check runs neither pg_isready nor psql"
    redis = _REDIS_PROBE.search(command)
    if redis:
        if form != "CMD-SHELL" or not _PONG_COMPARED.search(command):
            return (
                f"{redis.group(1)} exits 0 on NOAUTH and LOADING replies: its reply is not compared with PONG"
            )
    elif kind == "redis":
        return "a Redis image whose check runs no redis-cli"
    return None


@produces("compose.healthcheck-no-early-pass")
def rule_healthcheck_no_early_pass(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Health checks cannot pass before the service is ready.

    Why: A check that passes during initialisation marks the service healthy too soon: migrations and
    clients connect to a server that is about to restart, or that answers every command with an error.
    """
    findings = []
    for s in model.services.values():
        if s.healthcheck and not s.healthcheck.disabled and not s.healthcheck.inherits_image:
            problem = early_pass_problem(s.healthcheck.test, service_kind(s))
            if problem:
                findings.append(
                    finding(
                        check.id,
                        f"service {s.name}",
                        "a check that cannot pass before the service is ready",
                        problem,
                        "postgres: pg_isready -h 127.0.0.1; redis: redis-cli ping | grep -qx PONG",
                    )
                )
    return findings
