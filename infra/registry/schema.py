"""The convention audit over the live catalog: one check per rule of schema/CONVENTIONS.md.

The rules themselves (and their titles, why and how-to-fix texts) live in infra.audit; each rule id
is the check id, so a check's report and the nightly audit's speak of the same thing.
"""

from infra.audit import RULES
from infra.registry import Check

CHECKS = tuple(Check(rule.id, "schema", rule.title, rule.why) for rule in RULES.values())
