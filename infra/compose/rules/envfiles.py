"""Env files the stack reads: a secret in one is only secret if nobody else has the value.

Public are: a file git tracks; a value equal to the published example's it was copied from
(`cp .env.example .env`, as install guides say); a value equal to the compose file's own literal
default; a placeholder anyone could guess. Secrets by name, and by shape (`scheme://user:password@`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from infra.compose.interpolate import references, string_values
from infra.compose.model import ComposeModel, EnvFileRecord
from infra.compose.rules.common import RawFile, finding
from infra.compose.rules.secrets import url_passwords
from infra.findings import Check, Finding, produces
from infra.masking import is_secret_name

# Values everyone knows: the placeholders tutorials ship with, and descriptions written where a value
# belongs (`your-...-min-32-characters`, `data encryption key with 32 char`): words, <brackets>, spaces.
_PLACEHOLDER = re.compile(
    r"change|replace|example|default|secret|passw|admin|test|demo|dummy|sample|xxx|^(?:(.)\1*)$"
    r"|(?<![a-z])(?:your|here|generate[ds]?|random|todo|fixme|insert|enter|chars?|characters|min|minimum"
    r"|long|length)(?![a-z])|<[^>]*>|\s",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 16


def weak_value(value: str, others: set[str]) -> bool:
    """A value anyone could guess: a placeholder word or description, short, or the same as a
    non-secret value in the same file (a password equal to the user name)."""
    return len(value) < MIN_SECRET_LENGTH or bool(_PLACEHOLDER.search(value)) or value in others


def _secret_parts(key: str, value: str) -> list[str]:
    """The secret values one line holds: the whole value of a secret-named key, the password of each
    `scheme://user:password@` URL in any key; references (`${...}`) are not values."""
    if not value or "${" in value or "PUBLIC" in key.upper():
        return []
    return [value] if is_secret_name(key) else url_passwords(value)


def public_secrets(record: EnvFileRecord, defaults: Mapping[str, str]) -> dict[str, str]:
    """Key -> why its secret is public: tracked by git, the published example's value, the compose
    file's default, or a guessable value (a password in a URL counts as the key's secret)."""
    others = {v for k, v in record.values.items() if not is_secret_name(k)}
    public = {}
    for key, value in record.values.items():
        parts = _secret_parts(key, value)
        if not parts:
            continue
        if record.tracked:
            public[key] = "tracked by git"
        elif record.example and value == record.example_values.get(key):
            public[key] = f"same as {record.example.name}"
        elif defaults.get(key) == value:
            public[key] = "the compose file's own default"
        elif any(weak_value(part, others) for part in parts):
            public[key] = "a value anyone can guess"
    return public


def literal_defaults(raw: list[RawFile]) -> dict[str, str]:
    """Variable -> the literal default the compose files write for it (`${X:-value}`)."""
    return {
        ref.name: ref.default
        for r in raw
        for _, text in string_values(r.doc)
        for ref in references(text)
        if ref.default
    }


@produces("compose.no-committed-secrets")
def rule_no_committed_secrets(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No public secret in an env file the stack reads.

    Why: A secret in a committed env file is public: every clone has it. So is one copied unchanged
    from the published example, one equal to the compose file's own default, and a placeholder: the
    stack then runs with the value the tutorial printed. Keep env files out of git, give each secret a
    value of your own (`openssl rand -hex 32`), commit an example with empty values.
    """
    defaults = literal_defaults(raw)
    findings = []
    for record in model.env_records:
        public = public_secrets(record, defaults)
        if public:
            by_reason: dict[str, list[str]] = {}
            for key, why in public.items():
                by_reason.setdefault(why, []).append(key)
            found = "; ".join(f"{', '.join(keys)} ({why})" for why, keys in by_reason.items())
            findings.append(
                finding(
                    check.id,
                    f"env file {record.path.name}",
                    "secrets only in an untracked env file, with values of your own",
                    f"{found}; values not shown",
                    "give each a value of your own (openssl rand -hex 32); keep the file out of git "
                    "(.gitignore) and commit an example with empty values",
                )
            )
    return findings
