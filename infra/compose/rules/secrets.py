"""Credentials: only from the environment, required, never defaulted or written in the file.

Read from the raw files (the normalized model has already replaced every reference with its value).
Findings name the variable, key and line, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.compose.envfile import VariableRef, referenced_variables
from infra.compose.model import ComposeModel
from infra.compose.rules.common import CREDENTIAL_NAME, RawFile, as_text, finding
from infra.findings import Check, Finding, produces
from infra.masking import is_secret_name

_BRACED = re.compile(r"(?<!\$)\$\{[^}]*\}")
_BARE = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")
_ONLY_REFERENCE = re.compile(r"\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)\s*")
# Secrets passed on a command line: `--requirepass x`, `redis-cli -a x`, `PGPASSWORD=x sh -c ...`.
_VALUE = r"([\\'\"]*)([^\s'\"\\]*)"  # opening quotes (maybe escaped), then the value
_SECRET_FLAG = re.compile(r"(?<!\S)(--requirepass|--masterauth|--password|--pass)(?:\s+|=)" + _VALUE)
_CLI_AUTH_FLAG = re.compile(r"\b(?:redis|valkey)-cli\b[^|;&]*?(?<!\S)(-a)\s+" + _VALUE)
_ASSIGNMENT = re.compile(r"(?<![\w$])([A-Za-z_]\w*)=" + _VALUE)
_AUTH_VARIABLES = frozenset({"REDISCLI_AUTH"})


def is_credential_name(name: str) -> bool:
    """Secret-named (`is_secret_name`) or a user/login name such as POSTGRES_USER, MINIO_ROOT_USER."""
    return is_secret_name(name) or bool(CREDENTIAL_NAME.search(name.upper()))


@dataclass(frozen=True)
class Reference:
    """One `${...}` or `$NAME` occurrence in a raw file, with its line."""

    ref: VariableRef
    braced: bool
    line: int


def references(text: str) -> Iterator[Reference]:
    """Every variable reference in raw compose text (braced, then bare); `$$` escapes are not references."""
    for match in _BRACED.finditer(text):
        for ref in referenced_variables(match.group(0)).values():
            yield Reference(ref, True, text.count("\n", 0, match.start()) + 1)
    for match in _BARE.finditer(text):
        yield Reference(
            VariableRef(match.group(1), False, None), False, text.count("\n", 0, match.start()) + 1
        )


def _environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {k: (v if sep else None) for k, sep, v in pairs}
    return {str(k): None if v is None else str(v) for k, v in env.items()}


def literal_secrets_in_command(text: str) -> list[str]:
    """What carries a literal secret in a command line (`--requirepass`, `-a`, `PGPASSWORD=`), by name;
    values that are variable references (`$VAR`, `$${VAR}`) are fine."""
    found = []
    for pattern in (_SECRET_FLAG, _CLI_AUTH_FLAG):
        found += [m.group(1) for m in pattern.finditer(text) if m.group(3) and not m.group(3).startswith("$")]
    for m in _ASSIGNMENT.finditer(text):
        name, value = m.group(1), m.group(3)
        if (is_secret_name(name) or name in _AUTH_VARIABLES) and value and not value.startswith("$"):
            found.append(f"{name}=")
    return found


@produces("compose.no-default-secrets")
def rule_no_default_secrets(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No default or literal credential in the file (environment, command line, health check).

    Why: A default or literal credential lives in every clone and every stack started from it, and the
    stack starts happily with it when the env file forgets the value.
    """
    findings = []
    for r in raw:
        for occ in references(r.text):
            if is_secret_name(occ.ref.name) and occ.ref.default is not None:
                findings.append(
                    finding(
                        check.id,
                        f"variable {occ.ref.name} at {r.path.name}:{occ.line}",
                        "no default for a secret",
                        f"${{{occ.ref.name}:-…}}: a default value (not shown)",
                        f"write ${{{occ.ref.name}:?set {occ.ref.name} in .env}}",
                    )
                )
        for name, service in r.services().items():
            for key, value in _environment(service).items():
                if is_credential_name(key) and value is not None and not _ONLY_REFERENCE.fullmatch(value):
                    findings.append(
                        finding(
                            check.id,
                            f"service {name}, environment {key} in {r.path.name}",
                            "a ${VARIABLE} reference",
                            "an empty literal" if not value else "a literal value (not shown)",
                            f"write {key}: ${{{key}:?set {key} in .env}}",
                        )
                    )
            for field in ("command", "entrypoint"):
                for flag in literal_secrets_in_command(as_text(service.get(field))):
                    findings.append(_command_finding(check, name, field, flag, r))
            healthcheck = service.get("healthcheck")
            if isinstance(healthcheck, Mapping):
                for flag in literal_secrets_in_command(as_text(healthcheck.get("test"))):
                    findings.append(_command_finding(check, name, "healthcheck test", flag, r))
    return findings


def _command_finding(check: Check, service: str, field: str, flag: str, r: RawFile) -> Finding:
    return finding(
        check.id,
        f"service {service}, {field} in {r.path.name}",
        "secrets on the command line only as $$VARIABLE",
        f"{flag} followed by a literal value (not shown)",
        "pass it through `environment:` from ${VAR:?...} and write $$VAR in the command",
    )


@produces("compose.secrets-required")
def rule_secrets_required(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Credentials use the required form ${VAR:?message}.

    Why: `${X}` and `$X` quietly become empty when X is unset (a passwordless database, an empty user),
    and `${X:-d}` silently uses d; `${X:?message}` stops `up` with the message instead.
    """
    findings = []
    for r in raw:
        for occ in references(r.text):
            ref = occ.ref
            if not is_credential_name(ref.name) or ref.required:
                continue
            if ref.default is not None:
                found = f"${{{ref.name}:-…}}: a default (not shown)"
            elif occ.braced:
                found = f"${{{ref.name}}}: empty when unset"
            else:
                found = f"${ref.name}: empty when unset"
            findings.append(
                finding(
                    check.id,
                    f"variable {ref.name} at {r.path.name}:{occ.line}",
                    f"${{{ref.name}:?message}}",
                    found,
                    "make it required so a missing value stops `up` with your message",
                )
            )
    return findings
