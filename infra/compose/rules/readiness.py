"""Readiness: the health budget adds up, probes test an answer, dependents wait for health."""

from __future__ import annotations

import re

from infra.compose.model import ComposeModel, HealthCheck
from infra.compose.rules.common import RawFile, finding, is_one_shot, service_kind
from infra.compose.rules.health import has_health_check
from infra.findings import Check, Finding, produces

# The seed's promise: the whole stack healthy in 2 minutes (checks/budget measures it live).
STARTUP_BUDGET_S = 120.0
# Shortest window a first start needs before failed probes may count: initdb and init scripts for
# PostgreSQL and ClickHouse; loading a dataset for Redis and an object store.
FIRST_START_S = {"postgres": 20.0, "clickhouse": 20.0, "redis": 10.0, "minio": 10.0}
_PORT_ONLY = (
    (re.compile(r"\bnc\b[^|;&]*\s-\w*z"), "nc -z only tests that the port accepts a connection"),
    (re.compile(r"/dev/tcp/"), "a bash /dev/tcp redirect only tests that the port accepts a connection"),
)
_CURL = re.compile(r"\bcurl\b([^|;&]*)")
_CURL_FAILS = re.compile(r"(?<!\S)(?:-\w*f\w*|--fail(?:-with-body)?)(?!\S)")


def _seconds(value: float) -> str:
    return f"{value:g}s"


def budget_problems(hc: HealthCheck, kind: str | None, budget_s: float) -> list[tuple[str, str, bool]]:
    """(expected, found, strict-only) for a health check whose timing does not add up.

    A failing probe usually fails fast (connection refused), so a first start gets
    start_period + retries x interval before the container turns unhealthy; a probe that hangs makes
    `up --wait` wait start_period + retries x (interval + timeout) before it gives up.
    """
    window = hc.start_period_s + hc.retries * hc.interval_s
    worst = hc.start_period_s + hc.retries * (hc.interval_s + hc.timeout_s)
    formula = (
        f"start_period {_seconds(hc.start_period_s)} + {hc.retries} x interval {_seconds(hc.interval_s)}"
    )
    problems = []
    need = FIRST_START_S.get(kind or "", 0.0)
    if window < need:
        problems.append(
            (
                f">= {_seconds(need)} before failed probes turn a first {kind} start unhealthy",
                f"{formula} = {_seconds(window)}",
                False,
            )
        )
    if worst > budget_s:
        problems.append(
            (
                f"unhealthy declared within the {_seconds(budget_s)} startup budget",
                f"{formula} + timeouts {_seconds(hc.timeout_s)} each = {_seconds(worst)}",
                True,
            )
        )
    return problems


@produces("compose.health-budget")
def rule_health_budget(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """The health budget adds up: a first start is covered, the startup budget is kept.

    Why: Too short a window (`start_period: 1s` on a database) marks a slow first start unhealthy while
    it initialises; too long a one lets `up --wait` hang past the startup budget before it reports.
    Values the file did not write are Compose's defaults (interval 30s, timeout 30s, retries 3).
    """
    findings = []
    for s in model.services.values():
        hc = s.healthcheck
        if hc is None or hc.disabled or hc.inherits_image:
            continue
        for expected, found, strict in budget_problems(hc, service_kind(s), STARTUP_BUDGET_S):
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    expected,
                    found,
                    "adjust start_period / retries / interval so the sum fits",
                    strict=strict,
                )
            )
    return findings


def port_only_problem(test: tuple[str, ...]) -> str | None:
    """Why a probe tests only that a port is open (or that something answered), or None."""
    command = " ".join(test[1:])
    for pattern, reason in _PORT_ONLY:
        if pattern.search(command):
            return reason
    for match in _CURL.finditer(command):
        rest = command[match.end() :]
        if not _CURL_FAILS.search(match.group(1)) and not re.match(r"\s*\|\s*grep\b", rest):
            return "curl without --fail exits 0 on an HTTP error (a 500 passes)"
    return None


@produces("compose.probe-not-port-only")
def rule_probe_not_port_only(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Health probes check an answer, not only that a port is open.

    Why: A port accepts connections long before the service behind it works (and keeps accepting them
    when it fails): a probe must check an answer, e.g. `pg_isready`, `curl --fail`, `redis-cli ping`.
    """
    findings = []
    for s in model.services.values():
        hc = s.healthcheck
        if hc is None or hc.disabled or hc.inherits_image:
            continue
        problem = port_only_problem(hc.test)
        if problem:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    "a probe that checks the service's answer",
                    problem,
                    "use the server's own client (pg_isready, redis-cli ping | grep PONG) or curl --fail",
                )
            )
    return findings


@produces("compose.depends-on-healthy")
def rule_depends_on_healthy(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """depends_on waits for health when the dependency has a health check.

    Why: `depends_on: [db]` waits only until db's container started, not until it is ready: the app's
    first connections fail. When db has a health check (written, or its image's own),
    `condition: service_healthy` waits for it; for a one-shot job (a migrator),
    `condition: service_completed_successfully` waits until it succeeded.
    """
    findings = []
    for s in model.services.values():
        started = [d for d, c in s.depends_on.items() if c == "service_started" and d in model.services]
        jobs = [d for d in started if is_one_shot(model, d)]
        blind = [d for d in started if d not in jobs and has_health_check(model, model.services[d])]
        if blind:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    "condition: service_healthy for dependencies that have a health check",
                    f"depends_on {', '.join(blind)} waits only for the container to start",
                    f"write depends_on: {{{blind[0]}: {{condition: service_healthy}}}}",
                )
            )
        if jobs:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    "condition: service_completed_successfully for one-shot jobs (migrations, init)",
                    f"depends_on {', '.join(jobs)} starts while the job still runs (or after it failed)",
                    f"write depends_on: {{{jobs[0]}: {{condition: service_completed_successfully}}}}",
                )
            )
    return findings
