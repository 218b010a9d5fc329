"""A convention rule: a plain function over a SchemaView, whose docstring is its documentation.

The docstring's first paragraph is the rule's title; a `Why:` paragraph says what the rule prevents and a
`Fix:` paragraph how to comply. The nightly report shows both, so they are parsed once, by
`infra.findings.declare`, and checked to be present (a rule without them fails at import, not in a
report). The rule's id is its check id; the function receives its Check as first argument.
"""

from __future__ import annotations

from infra.audit.view import SchemaView
from infra.findings import Rule as _Rule
from infra.findings import rule

Rule = _Rule[SchemaView]

__all__ = ["Rule", "rule"]
