"""Env files beside the compose file: secrets in them are only secret if they are not committed."""

from __future__ import annotations

import re

from infra.compose.model import ComposeModel, EnvFileRecord
from infra.compose.rules.common import RawFile, finding
from infra.findings import Check, Finding, produces
from infra.masking import is_secret_name

# Values everyone knows: the placeholders tutorials ship with.
_PLACEHOLDER = re.compile(
    r"change|replace|example|default|secret|passw|admin|test|demo|dummy|sample|xxx|^(?:(.)\1*)$",
    re.IGNORECASE,
)
MIN_SECRET_LENGTH = 16


def weak_value(value: str, others: set[str]) -> bool:
    """A value anyone could guess: a placeholder word, short, or the same as a non-secret value in the
    same file (a password equal to the user name)."""
    return len(value) < MIN_SECRET_LENGTH or bool(_PLACEHOLDER.search(value)) or value in others


def committed_secrets(record: EnvFileRecord) -> list[str]:
    """Secret-named keys of `record` whose value is public: the file is tracked by git, or (where git
    cannot tell) the value is a guessable placeholder. References (`${...}`) are not values."""
    others = {v for k, v in record.values.items() if not is_secret_name(k)}
    keys = []
    for key, value in record.values.items():
        if not is_secret_name(key) or "PUBLIC" in key.upper() or not value or "${" in value:
            continue
        if record.tracked or (record.tracked is None and weak_value(value, others)):
            keys.append(key)
    return keys


@produces("compose.no-committed-secrets")
def rule_no_committed_secrets(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No secrets committed in an env file the stack reads.

    Why: A secret in an env file that is committed is public: every clone has it, and the stack runs
    with the value the tutorial printed. Keep env files with secrets out of git (.gitignore) and commit
    an example with empty values.
    """
    findings = []
    for record in model.env_records:
        keys = committed_secrets(record)
        if keys:
            why = "tracked by git" if record.tracked else "values anyone can guess"
            findings.append(
                finding(
                    check.id,
                    f"env file {record.path.name}",
                    "secrets only in an untracked env file, with values of your own",
                    f"{', '.join(keys)} ({why}; values not shown)",
                    "git rm --cached the file, add it to .gitignore, commit an example with empty values",
                )
            )
    return findings
