"""Health checks: present, well-formed, and unable to pass before the service is ready."""

from __future__ import annotations

import re

from infra.compose_model import ComposeModel
from infra.compose_rules.common import RawFile, finding
from infra.findings import Finding


def rule_healthcheck_present(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Without a health check `up --wait` and dependents cannot tell started from ready."""
    return [
        finding(
            "compose.healthcheck-present",
            f"service {s.name}",
            "an enabled health check",
            "disabled" if s.healthcheck else "none",
            "add a `healthcheck:` that probes the service itself",
        )
        for s in model.services.values()
        if s.healthcheck is None or s.healthcheck.disabled
    ]


def rule_healthcheck_wellformed(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """A check that times out after its interval overlaps itself; without start_period, a slow first
    start counts as failures and the container is marked unhealthy while it initialises."""
    findings = []
    for s in model.services.values():
        hc = s.healthcheck
        if hc is None or hc.disabled:
            continue
        where = f"service {s.name}"
        if not hc.test or hc.test[0] not in ("CMD", "CMD-SHELL"):
            findings.append(
                finding(
                    "compose.healthcheck-wellformed",
                    where,
                    "test in CMD or CMD-SHELL form",
                    repr(list(hc.test)),
                )
            )
        if hc.timeout_s >= hc.interval_s:
            findings.append(
                finding(
                    "compose.healthcheck-wellformed",
                    where,
                    "timeout < interval",
                    f"timeout {hc.timeout_s:g}s, interval {hc.interval_s:g}s",
                )
            )
        if hc.start_period_s <= 0:
            findings.append(
                finding("compose.healthcheck-wellformed", where, "start_period set (> 0)", "0s or unset")
            )
        if hc.retries < 1:
            findings.append(finding("compose.healthcheck-wellformed", where, "retries >= 1", str(hc.retries)))
    return findings


def _early_pass_problem(test: str) -> str | None:
    if "pg_isready" in test:
        host = re.search(r"(?:-h|--host)[ =]\s*(\S+)", test)
        if host is None or host.group(1).strip("'\"").startswith("/"):
            return (
                "pg_isready without -h 127.0.0.1 probes the unix socket the init-time server already serves"
            )
    if "redis-cli" in test and "PONG" not in test:
        return "redis-cli exits 0 on NOAUTH and LOADING replies: compare the reply with PONG"
    return None


def rule_healthcheck_no_early_pass(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """A check that passes during initialisation lets clients in before the service is really ready."""
    findings = []
    for s in model.services.values():
        if s.healthcheck and not s.healthcheck.disabled:
            problem = _early_pass_problem(" ".join(s.healthcheck.test[1:]))
            if problem:
                findings.append(
                    finding(
                        "compose.healthcheck-no-early-pass",
                        f"service {s.name}",
                        "a check that cannot pass before the service is ready",
                        problem,
                    )
                )
    return findings
