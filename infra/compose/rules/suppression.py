"""Exceptions written in the compose file (`x-orderflow-lint`), reviewed with it.

    services:
      web:
        x-orderflow-lint:
          <rule id>: "the app's public entry, behind the host's firewall"

A top-level `x-orderflow-lint` excuses findings about the file itself. Only an exception with a
reason, naming a declared rule, excuses anything (infra.compose.lint applies them).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra.compose.model import ComposeModel
from infra.compose.rules.common import RawFile, finding
from infra.findings import Check, Finding, produces

SUPPRESS_KEY = "x-orderflow-lint"


@dataclass(frozen=True)
class Exception_:
    """One `x-orderflow-lint` entry: the rule it silences, where (None: the file), and why."""

    check_id: str
    service: str | None
    reason: str
    file: str


def written_exceptions(raw: list[RawFile]) -> Iterator[Exception_]:
    """Every entry as written; a list entry (`- <rule id>`) has an empty reason."""
    for r in raw:
        places: list[tuple[str | None, Any]] = [(None, r.doc.get(SUPPRESS_KEY))]
        places += [(name, s.get(SUPPRESS_KEY)) for name, s in r.services().items() if isinstance(s, Mapping)]
        for service, entry in places:
            items = entry.items() if isinstance(entry, Mapping) else ((e, None) for e in entry or ())
            for check_id, reason in items:
                text = "" if reason is None else str(reason).strip()
                yield Exception_(str(check_id), service, text, r.path.name)


def compose_rule_ids() -> set[str]:
    from infra.compose.rules import RULES  # noqa: PLC0415 - that package imports this module

    return {rule.id for rule in RULES}


@produces("compose.suppression-reason")
def rule_suppression_reason(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Every exception in the file has a reason and names a rule.

    Why: An exception without a reason cannot be reviewed: nobody can tell later whether the risk
    was weighed or just silenced. One naming no rule (a typo) silences nothing and hides that.
    """
    known = compose_rule_ids()
    findings = []
    for e in written_exceptions(raw):
        if e.check_id in known and e.reason:
            continue
        where = f"service {e.service}, {SUPPRESS_KEY}" if e.service else f"{e.file}, {SUPPRESS_KEY}"
        findings.append(
            finding(
                check.id,
                where,
                "`<rule id>: <reason>` naming a declared rule",
                f"{e.check_id}: " + ("names no rule" if e.check_id not in known else "no reason"),
                "say why the exception is safe next to the rule id it excuses",
                service=e.service,
            )
        )
    return findings


def valid_exceptions(raw: list[RawFile]) -> list[Exception_]:
    known = compose_rule_ids()
    return [e for e in written_exceptions(raw) if e.check_id in known and e.reason]
