"""A convention rule: a plain function over a SchemaView, whose docstring is its documentation.

The docstring's first paragraph is the rule's title; a `Why:` paragraph says what the rule prevents and a
`Fix:` paragraph how to comply. The nightly report shows both, so they are parsed once, by
`infra.findings.declare`, and checked to be present (a rule without them fails at import, not in a
report). The rule's id is its check id; the function receives its Check as first argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from infra.audit.view import SchemaView
from infra.findings import Check, Checked, Finding, declare

RuleFunction = Callable[[Check, SchemaView], Iterable[Finding]]


class Rule(Checked[[SchemaView], Iterable[Finding]]):
    @property
    def title(self) -> str:
        return self.check.title

    @property
    def why(self) -> str:
        return self.check.why

    @property
    def fix(self) -> str:
        return self.check.fix

    def __call__(self, view: SchemaView) -> list[Finding]:
        return list(self.function(self.check, view))


def rule(rule_id: str) -> Callable[[RuleFunction], Rule]:
    """Make a Rule of a function, its title, why and fix taken from its docstring."""

    def make(function: RuleFunction) -> Rule:
        return Rule(declare(rule_id, function.__doc__ or "", required=("Why", "Fix")), function)

    return make
