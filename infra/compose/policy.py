"""Policies: which findings count against a file, and how much.

`dev-stack` is strict (our own stack: every rule, conventions and hardening included, as errors);
`service` is for application stacks (a public web entry, a bind mount for data and a stateless
service without a grace period are fine there). A rule marks a
finding `strict` when only `dev-stack` holds it against a file.

Per-service exceptions live in the compose file, reviewed with it (infra.compose.rules.suppression).
The project-wide default policy and severity overrides are in pyproject.toml under
`[tool.orderflow.lint]`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.compose.rules.common import ComposeFinding
from infra.compose.rules.envfiles import rule_no_committed_secrets
from infra.compose.rules.exposure import (
    rule_no_docker_sock,
    rule_no_host_namespaces,
    rule_no_privileged,
    rule_ports_from_env,
    rule_ports_loopback,
)
from infra.compose.rules.layout import rule_name_set, rule_no_version_key
from infra.compose.rules.postgres import rule_no_trust_auth
from infra.compose.rules.secrets import rule_no_default_secrets, rule_secrets_required
from infra.compose.rules.suppression import rule_suppression_reason
from infra.errors import HarnessError
from infra.findings import Checked

SEVERITIES = ("error", "warning", "info", "off")
DEFAULT_POLICY = "service"  # for a project without [tool.orderflow.lint] policy
_SERVICE_ERRORS = (
    rule_no_default_secrets,
    rule_secrets_required,
    rule_no_committed_secrets,
    rule_no_trust_auth,
    rule_ports_loopback,
    rule_no_privileged,
    rule_no_docker_sock,
    rule_no_host_namespaces,
    rule_suppression_reason,
)
_SERVICE_INFO = (rule_name_set, rule_no_version_key, rule_ports_from_env)


def _ids(rules: tuple[Checked[Any, Any], ...], level: str) -> dict[str, str]:
    return {rule.id: level for rule in rules}


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
    "dev-stack": Policy("dev-stack", strict=True, default="error"),
    "service": Policy(
        "service",
        strict=False,
        default="warning",
        severities={**_ids(_SERVICE_ERRORS, "error"), **_ids(_SERVICE_INFO, "info")},
    ),
}


def project_policy(start: Path, name: str | None = None) -> Policy:
    """The policy `name`, else `[tool.orderflow.lint] policy` of the nearest pyproject.toml from `start`
    up that has a [tool.orderflow] table (the user's project: pass the compose file's folder), else
    `service`: a file of a project that chose nothing is judged as an application stack, not by the
    strict dev-stack policy of this repository. With that table's severity overrides."""
    settings: Mapping[str, Any] = {}
    for folder in [start.resolve(), *start.resolve().parents]:
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise HarnessError(f"{pyproject}: not valid TOML ({exc})", "fix the file") from None
        table = data.get("tool", {}).get("orderflow")
        if isinstance(table, dict):
            settings = table.get("lint", {})
            break
    chosen = name or settings.get("policy", DEFAULT_POLICY)
    if chosen not in POLICIES:
        raise HarnessError(f"unknown lint policy {chosen!r}", f"use one of {', '.join(POLICIES)}")
    return POLICIES[chosen].with_overrides(settings.get("severity", {}))
