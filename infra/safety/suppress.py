"""Suppressions, written in the revision file they excuse, with a reason:

    # safety: ignore <rule id> -- org has 12 rows and no traffic before launch

A suppression without a reason is not honoured (the finding stands and says why). Read as text, so a
revision file is never imported for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from infra.findings import Finding

_LINE = re.compile(r"#\s*safety:\s*ignore\s+(safety\.[\w-]+)\s*(?:--\s*(.*))?$", re.MULTILINE)


@dataclass(frozen=True)
class Suppression:
    revision: str
    rule_id: str
    reason: str  # "" when none was given (then it is not honoured)
    path: str


def read(revision: str, path: Path) -> list[Suppression]:
    text = path.read_text(encoding="utf-8")
    return [
        Suppression(revision, m.group(1), (m.group(2) or "").strip(), str(path)) for m in _LINE.finditer(text)
    ]


def apply(
    findings: list[Finding], suppressions: list[Suppression]
) -> tuple[list[Finding], list[tuple[Finding, Suppression]]]:
    """(findings that stand, findings suppressed with the suppression that excused them)."""
    kept, excused = [], []
    for f in findings:
        match = next(
            (
                s
                for s in suppressions
                if s.rule_id == f.check_id and f.where.startswith(f"revision {s.revision},")
            ),
            None,
        )
        if match is None:
            kept.append(f)
        elif not match.reason:
            kept.append(
                Finding(
                    f.check_id,
                    f.where,
                    f.expected,
                    f"{f.found} (suppression in {match.path} has no reason)",
                    f.hint,
                )
            )
        else:
            excused.append((f, match))
    return kept, excused
