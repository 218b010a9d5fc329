"""Checks and findings: a check is declared once, next to the code that produces its findings.

A check's id is what reports carry and what pytest markers name (`check`, `negative`); its concern
is the id's prefix (`compose.name-set` -> `compose`), which is also its folder under checks/ and its
pytest marker. Title and why come from a docstring: a title paragraph, then a `Why:` paragraph
(and, for the audit, a `Fix:` one), so the text a developer reads is the text reports show.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Concatenate, Generic, ParamSpec, TypeVar

_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
_SECTION = re.compile(r"^(Why|Fix):\s*", re.MULTILINE)
P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


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


@dataclass(frozen=True)
class Check:
    """A stable id with what it checks (title) and the failure it prevents (why)."""

    id: str
    title: str
    why: str
    fix: str = ""

    @property
    def concern(self) -> str:
        return self.id.partition(".")[0]

    def finding(self, where: str, expected: str, found: str, hint: str = "") -> Finding:
        return Finding(self.id, where, expected, found, hint)


def parse_docstring(doc: str, where: str, required: Sequence[str] = ("Why",)) -> tuple[str, dict[str, str]]:
    """(title, {"Why": ..., "Fix": ...}) of a docstring; the error names `where` and what is missing."""
    text = inspect.cleandoc(doc)
    title, _, body = text.partition("\n\n")  # the title is the first paragraph
    title = " ".join(title.split()).rstrip(".")
    parts = _SECTION.split(body)
    sections = {parts[i]: " ".join(parts[i + 1].split()) for i in range(1, len(parts) - 1, 2)}
    missing = [name for name in required if not sections.get(name)]
    if not title or missing:
        wanted = " and ".join(f"'{name}:'" for name in required)
        raise ValueError(f"{where}: the docstring needs a title paragraph and {wanted} (missing {missing})")
    return title, sections


def declare(check_id: str, doc: str, required: Sequence[str] = ("Why",)) -> Check:
    """A Check from its id and a docstring-style text; a malformed id or text fails at import."""
    if not _ID.match(check_id):
        raise ValueError(f"check id {check_id!r} is not `<concern>.<kebab-name>`")
    title, sections = parse_docstring(doc, f"check {check_id}", required)
    return Check(check_id, title, sections["Why"], sections.get("Fix", ""))


class Checked(Generic[P, R]):
    """A function that produces the findings of one check, declared with it (see `produces`)."""

    def __init__(self, check: Check, function: Callable[Concatenate[Check, P], R]) -> None:
        self.check = check
        self.function = function
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__

    @property
    def id(self) -> str:
        return self.check.id

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.function(self.check, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<{self.__name__}: check {self.check.id}>"


def produces(check_id: str) -> Callable[[Callable[Concatenate[Check, P], R]], Checked[P, R]]:
    """Declare the check a function produces findings for; its docstring gives title and why.

    The function receives the Check as its first argument (callers do not pass it), so the id is
    written once, here.
    """

    def make(function: Callable[Concatenate[Check, P], R]) -> Checked[P, R]:
        return Checked(declare(check_id, function.__doc__ or ""), function)

    return make


class Rule(Checked[[S], Iterable[Finding]]):
    """A check over one subject (a schema view, a migration trace) whose docstring also says how to
    fix a violation; calling it gives the findings as a list."""

    @property
    def title(self) -> str:
        return self.check.title

    @property
    def why(self) -> str:
        return self.check.why

    @property
    def fix(self) -> str:
        return self.check.fix

    def __call__(self, subject: S) -> list[Finding]:
        return list(self.function(self.check, subject))


def rule(rule_id: str) -> Callable[[Callable[[Check, S], Iterable[Finding]]], Rule[S]]:
    """Make a Rule of a function, its title, `Why:` and `Fix:` taken from its docstring."""

    def make(function: Callable[[Check, S], Iterable[Finding]]) -> Rule[S]:
        return Rule(declare(rule_id, function.__doc__ or "", required=("Why", "Fix")), function)

    return make


def check_of(value: object) -> Check:
    """The Check a marker argument, a Checked function or an audit rule stands for."""
    if isinstance(value, Check):
        return value
    check = getattr(value, "check", None)
    if isinstance(check, Check):
        return check
    raise TypeError(f"{value!r} is not a check (a Check, or a function declared with @produces)")


def only(findings: Iterable[Finding], check: object) -> list[Finding]:
    """The findings of one check (a Check, a declared function, or an id)."""
    check_id = check if isinstance(check, str) else check_of(check).id
    return [f for f in findings if f.check_id == check_id]


def render_all(findings: Sequence[Finding]) -> str:
    """A readable block for an assertion message; one entry per finding."""
    header = f"{len(findings)} finding(s):"
    return "\n".join([header, *(f.render() for f in findings)])


@dataclass(frozen=True)
class Location:
    """Where a tool (an editor, GitHub, a SARIF viewer) can jump to: a file with a 1-based line and
    column, and/or a logical place (a table, a column, a revision) where no file holds it."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    logical: str | None = None

    def describe(self) -> str:
        """`path:line:col` (as compilers print it), else the logical place."""
        if self.path is None:
            return self.logical or ""
        return ":".join(str(p) for p in (self.path, self.line, self.column) if p is not None)
