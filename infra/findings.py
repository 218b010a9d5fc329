"""Findings: what a check found wrong, with titled context (expected, found, where)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One violation of one check, located precisely enough to act on."""

    check_id: str
    where: str  # e.g. "service postgres", "table org", "revision 0001"
    expected: str
    found: str
    hint: str = ""

    def render(self) -> str:
        lines = [
            f"[{self.check_id}] {self.where}",
            f"  expected: {self.expected}",
            f"  found:    {self.found}",
        ]
        if self.hint:
            lines.append(f"  hint:     {self.hint}")
        return "\n".join(lines)


def only(findings: Iterable[Finding], check_id: str) -> list[Finding]:
    """The findings of one check."""
    return [f for f in findings if f.check_id == check_id]


def render_all(findings: Sequence[Finding]) -> str:
    """A readable block for an assertion message; one entry per finding."""
    header = f"{len(findings)} finding(s):"
    return "\n".join([header, *(f.render() for f in findings)])
