"""A convention rule: a plain function over a SchemaView, whose docstring is its documentation.

The docstring's first paragraph is the rule's title; a `Why:` paragraph says what the rule prevents and a
`Fix:` paragraph how to comply. The nightly report shows both, so they are parsed here once and
checked to be present (a rule without them fails at import, not in a report).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from infra.audit.view import SchemaView
from infra.findings import Finding

RuleFunction = Callable[[SchemaView], Iterable[Finding]]
_SECTION = re.compile(r"^(Why|Fix):\s*", re.MULTILINE)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    why: str
    fix: str
    check: RuleFunction

    def __call__(self, view: SchemaView) -> list[Finding]:
        return list(self.check(view))


def parse_docstring(doc: str, where: str) -> tuple[str, str, str]:
    """(title, why, fix) of a rule's docstring; the error names `where` and what is missing."""
    text = inspect.cleandoc(doc)
    title, _, body = text.partition("\n\n")  # the title is the first paragraph
    title = " ".join(title.split())
    parts = _SECTION.split(body)
    sections = {parts[i]: " ".join(parts[i + 1].split()) for i in range(1, len(parts) - 1, 2)}
    missing = [name for name in ("Why", "Fix") if not sections.get(name)]
    if not title.strip() or missing:
        raise ValueError(f"{where}: the docstring needs a title line, 'Why:' and 'Fix:' (missing {missing})")
    return title.strip().rstrip("."), sections["Why"], sections["Fix"]


def rule(rule_id: str) -> Callable[[RuleFunction], Rule]:
    """Make a Rule of a function, its title, why and fix taken from its docstring."""

    def make(function: RuleFunction) -> Rule:
        title, why, fix = parse_docstring(function.__doc__ or "", f"rule {rule_id} ({function.__name__})")
        return Rule(rule_id, title, why, fix, function)

    return make
