"""Policies: which findings count against a file, and how much.

`dev-stack` is strict (our own stack: every rule, our conventions included, as errors; hardening
still being adopted as warnings); `service` is for application stacks (a public web entry, a bind
mount for data and a stateless service without a grace period are fine there). A rule marks a
finding `strict` when only `dev-stack` holds it against a file.

Per-service exceptions live in the compose file, reviewed with it:

    services:
      web:
        x-orderflow-lint:
          compose.ports-loopback: "the app's public entry, behind the host's firewall"

(top-level `x-orderflow-lint` for findings about the file). An exception without a reason, or
naming no rule, is itself a finding (`compose.suppression-reason`). The project-wide default policy
and severity overrides are in pyproject.toml under `[tool.orderflow.lint]`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.compose.rules.common import ComposeFinding, RawFile, finding
from infra.errors import HarnessError

SEVERITIES = ("error", "warning", "info", "off")
SUPPRESS_KEY = "x-orderflow-lint"
# Hardening our own file does not have yet: reported, not failing, under dev-stack.
_ADOPTING = ("compose.memory-limit", "compose.privileges-dropped", "compose.log-rotation", "compose.postgres-shm")
_SERVICE_ERRORS = (
    "compose.no-default-secrets",
    "compose.secrets-required",
    "compose.no-committed-secrets",
    "compose.no-trust-auth",
    "compose.ports-loopback",
    "compose.no-privileged",
    "compose.no-docker-sock",
    "compose.no-host-namespaces",
    "compose.suppression-reason",
)
_SERVICE_INFO = ("compose.name-set", "compose.no-version-key", "compose.ports-from-env")


@dataclass(frozen=True)
class Policy:
    name: str
    strict: bool
    default: str
    severities: Mapping[str, str] = field(default_factory=dict)

    def severity(self, f: ComposeFinding) -> str:
        if f.strict and not self.strict:
            return "off"
        return self.severities.get(f.check_id, self.default)

    def with_overrides(self, overrides: Mapping[str, str]) -> Policy:
        for check_id, level in overrides.items():
            if level not in SEVERITIES:
                raise HarnessError(
                    f"severity {level!r} for {check_id} is not one of {', '.join(SEVERITIES)}",
                    "fix [tool.orderflow.lint.severity] in pyproject.toml",
                )
        return Policy(self.name, self.strict, self.default, {**self.severities, **overrides})


POLICIES = {
    "dev-stack": Policy("dev-stack", strict=True, default="error", severities=dict.fromkeys(_ADOPTING, "warning")),
    "service": Policy(
        "service",
        strict=False,
        default="warning",
        severities={**dict.fromkeys(_SERVICE_ERRORS, "error"), **dict.fromkeys(_SERVICE_INFO, "info")},
    ),
}


def project_policy(start: Path, name: str | None = None) -> Policy:
    """The policy `name`, else pyproject's `[tool.orderflow.lint] policy` (the nearest pyproject.toml
    from `start` up), else dev-stack; with pyproject's severity overrides."""
    settings: Mapping[str, Any] = {}
    for folder in [start.resolve(), *start.resolve().parents]:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise HarnessError(f"{pyproject}: not valid TOML ({exc})", "fix the file") from None
            settings = data.get("tool", {}).get("orderflow", {}).get("lint", {})
            break
    chosen = name or settings.get("policy", "dev-stack")
    if chosen not in POLICIES:
        raise HarnessError(f"unknown lint policy {chosen!r}", f"use one of {', '.join(POLICIES)}")
    return POLICIES[chosen].with_overrides(settings.get("severity", {}))


@dataclass(frozen=True)
class Exception_:
    """One `x-orderflow-lint` entry: the rule it silences, where, and why."""

    check_id: str
    service: str | None
    reason: str


def exceptions(raw: list[RawFile], known: Iterable[str]) -> tuple[list[Exception_], list[ComposeFinding]]:
    """The file's exceptions, and a `compose.suppression-reason` finding for each one without a
    reason or naming no rule (the finding it meant to silence then stands)."""
    known = set(known)
    found: list[Exception_] = []
    problems: list[ComposeFinding] = []
    for r in raw:
        places: list[tuple[str | None, Any]] = [(None, r.doc.get(SUPPRESS_KEY))]
        places += [(name, s.get(SUPPRESS_KEY)) for name, s in r.services().items() if isinstance(s, Mapping)]
        for service, entry in places:
            if entry is None:
                continue
            where = f"service {service}, {SUPPRESS_KEY}" if service else f"{r.path.name}, {SUPPRESS_KEY}"
            items = entry.items() if isinstance(entry, Mapping) else ((e, None) for e in entry or ())
            for check_id, reason in items:
                text = "" if reason is None else str(reason).strip()
                if str(check_id) not in known or not text:
                    problems.append(
                        finding(
                            "compose.suppression-reason",
                            where,
                            "`<rule id>: <reason>` naming a rule",
                            f"{check_id}: " + ("names no rule" if str(check_id) not in known else "no reason"),
                            "say why the exception is safe, e.g. compose.ports-loopback: the app's public entry",
                            service=service,
                        )
                    )
                else:
                    found.append(Exception_(str(check_id), service, text))
    return found, problems
