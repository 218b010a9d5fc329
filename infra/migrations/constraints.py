"""What a table's CHECK constraints allow, for the generic seeder: the common one-column forms as
PostgreSQL prints them (pg_get_constraintdef), parsed into bounds the generators respect.

Understood: `col ~ 'regex'`, `length|char_length(col) <op> n` (and BETWEEN), `col <op> number`,
`col = ANY (ARRAY['a', 'b'])` / `col IN ('a', 'b')`. Anything else is left to the database: a row it
refuses is dropped, and the seeder draws more than it needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

_CAST = re.compile(r"::[a-z_]+(?: [a-z_]+)*(?:\[\])?")
_BETWEEN = re.compile(r"\bBETWEEN\s+(-?[\d.]+)\s+AND\s+(-?[\d.]+)", re.IGNORECASE)
_REGEX = re.compile(r"^(\w+)\s*~\s*'((?:[^']|'')*)'$")
_LENGTH = re.compile(
    r"^(?:char_length|length)\((\w+)\)\s*(<=|<|>=|>|=|BETWEEN)\s*(-?\d+)(?:\s*,\s*(-?\d+))?$"
)
_COMPARE = re.compile(r"^(\w+)\s*(<=|<|>=|>)\s*(-?\d+(?:\.\d+)?)$")
_CHOICES = re.compile(r"^(\w+)\s*(?:=\s*ANY\s*\(\s*ARRAY\[(.*)\]\s*\)|IN\s*\((.*)\))$", re.IGNORECASE)
_QUOTED = re.compile(r"'((?:[^']|'')*)'")


@dataclass(frozen=True)
class Rule:
    """What one column's values must satisfy."""

    regex: str | None = None
    min_len: int | None = None
    max_len: int | None = None
    min_value: float | None = None  # inclusive
    max_value: float | None = None
    choices: tuple[str, ...] = field(default=())


def _clauses(sql: str) -> list[str]:
    """Top-level-or-nested AND clauses outside quotes, each without its wrapping parentheses."""
    sql = _BETWEEN.sub(r"BETWEEN \1, \2", _CAST.sub("", sql))
    parts, current, quoted = [], "", False
    i = 0
    while i < len(sql):
        if sql[i] == "'":
            quoted = not quoted
        if not quoted and sql[i : i + 5].upper() == " AND ":
            parts.append(current)
            current, i = "", i + 5
            continue
        current += sql[i]
        i += 1
    parts.append(current)
    return [p.strip().lstrip("(").rstrip(")").strip() for p in parts]


def _balance(clause: str) -> str:
    """Give back the closing parentheses the stripping took from a call: `char_length(slug`,
    `ANY (ARRAY['a']`."""
    outside = _QUOTED.sub("", clause)
    return clause + ")" * max(outside.count("(") - outside.count(")"), 0)


def column_rules(check_sql: Iterable[str]) -> dict[str, Rule]:
    """Per column, the bounds of every understood clause of `check_sql` (constraint texts)."""
    rules: dict[str, Rule] = {}
    for sql in check_sql:
        for clause in map(_balance, _clauses(sql)):
            _apply(rules, clause)
    return rules


def _apply(rules: dict[str, Rule], clause: str) -> None:
    if m := _REGEX.match(clause):
        rules[m[1]] = replace(rules.get(m[1], Rule()), regex=m[2].replace("''", "'"))
    elif m := _LENGTH.match(clause):
        rule, op, n = rules.get(m[1], Rule()), m[2].upper(), int(m[3])
        if op == "BETWEEN" and m[4] is not None:
            rule = replace(rule, min_len=n, max_len=int(m[4]))
        elif op in ("<=", "<"):
            rule = replace(rule, max_len=n if op == "<=" else n - 1)
        elif op in (">=", ">"):
            rule = replace(rule, min_len=n if op == ">=" else n + 1)
        elif op == "=":
            rule = replace(rule, min_len=n, max_len=n)
        rules[m[1]] = rule
    elif m := _COMPARE.match(clause):
        rule, op, bound = rules.get(m[1], Rule()), m[2], float(m[3])
        step = 1 if bound.is_integer() else 1e-6
        if op in ("<=", "<"):
            rule = replace(rule, max_value=bound if op == "<=" else bound - step)
        else:
            rule = replace(rule, min_value=bound if op == ">=" else bound + step)
        rules[m[1]] = rule
    elif m := _CHOICES.match(clause):
        values = tuple(v.replace("''", "'") for v in _QUOTED.findall(m[2] or m[3] or ""))
        if values:
            rules[m[1]] = replace(rules.get(m[1], Rule()), choices=values)
