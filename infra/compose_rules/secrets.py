"""Credentials: only from the environment, required, never defaulted or written in the file.

Findings name the variable or key, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.compose_model import ComposeModel
from infra.compose_rules.common import RawFile, finding
from infra.envfile import is_secret_name, referenced_variables
from infra.findings import Finding

CREDENTIAL_NAME = re.compile(r"(^|_)(USER|USERNAME|LOGIN)$")
_REFERENCE_ONLY = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[?][^}]*)?\}")


def _environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {k: (v if sep else None) for k, sep, v in pairs}
    return {str(k): None if v is None else str(v) for k, v in env.items()}


def rule_no_default_secrets(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """A default or literal password ends up in every clone and every stack started from it."""
    findings = []
    for r in raw:
        for ref in referenced_variables(r.text).values():
            if is_secret_name(ref.name) and ref.default is not None:
                findings.append(
                    finding(
                        "compose.no-default-secrets",
                        f"variable {ref.name} in {r.path.name}",
                        "no default for a secret",
                        "a default value (not shown)",
                        f"write ${{{ref.name}:?set it in .env}}",
                    )
                )
        for name, service in r.services().items():
            for key, value in _environment(service).items():
                if is_secret_name(key) and value is not None and not _REFERENCE_ONLY.fullmatch(value.strip()):
                    findings.append(
                        finding(
                            "compose.no-default-secrets",
                            f"service {name}, {key}",
                            "a ${VARIABLE} reference",
                            "a literal value (not shown)",
                            f"write {key}: ${{{key}:?set it in .env}}",
                        )
                    )
    return findings


def rule_secrets_required(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """`${X}` quietly becomes empty when X is unset: a passwordless database. `${X:?msg}` refuses."""
    findings = []
    for r in raw:
        for ref in referenced_variables(r.text).values():
            sensitive = is_secret_name(ref.name) or CREDENTIAL_NAME.search(ref.name)
            if sensitive and not ref.required:
                findings.append(
                    finding(
                        "compose.secrets-required",
                        f"variable {ref.name} in {r.path.name}",
                        f"${{{ref.name}:?message}}",
                        "optional (empty when unset)",
                        "make it required so a missing value stops `up`",
                    )
                )
    return findings
