"""Where in an Alembic tree a migration finding points: the revision file, and the line of the `op.`
call that made the statement when one can be told apart (else the revision's `def upgrade` or
`def downgrade` line).

Findings name their revision in `where` ("revision 0003, statement 2: ALTER TABLE ..."); the file
is the one Alembic loaded for that id, read with `ast` (nothing is imported or run again).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from alembic.script import ScriptDirectory

from infra.findings import Location

_REVISION = re.compile(r"^revision (?P<id>[\w-]+)")
_STATEMENT = re.compile(r", statement \d+: (?P<sql>.*)$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


def _function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    return next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)


def _op_calls(function: ast.FunctionDef) -> list[ast.Call]:
    """`op.<anything>(...)` calls in the function, in source order (batch operations included)."""
    calls = [
        n
        for n in ast.walk(function)
        if isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and isinstance(n.func.value, ast.Name)
        and n.func.value.id in ("op", "batch_op")
    ]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _best_call(calls: list[ast.Call], sql: str) -> ast.Call | None:
    """The call whose string arguments (table, column, index names; SQL text) the statement names
    most; None when no call shares a name with it."""
    words = {w.lower() for w in _WORD.findall(sql)}
    best, score = None, 0
    for call in calls:
        names = {
            w.lower()
            for n in ast.walk(call)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
            for w in _WORD.findall(n.value)
        }
        hits = len(names & words)
        if hits > score:
            best, score = call, hits
    return best


def revision_location(
    script: ScriptDirectory, where: str, relative_to: Path | None = None
) -> Location | None:
    """The revision file and line a finding's `where` points at, or None when it names no revision
    of this tree."""
    match = _REVISION.match(where)
    if match is None:
        return None
    try:
        revision = script.get_revision(match.group("id"))
    except Exception:  # alembic raises several kinds for an unknown or partial id
        return None
    if revision is None or not revision.path:
        return None
    path = Path(revision.path)
    shown = _shown(path, relative_to)
    try:
        module = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return Location(shown, logical=where)
    function = _function(module, "downgrade" if "downgrade" in where else "upgrade")
    if function is None:
        return Location(shown, 1, logical=where)
    statement = _STATEMENT.search(where)
    call = _best_call(_op_calls(function), statement.group("sql")) if statement else None
    node: ast.AST = call or function
    return Location(shown, node.lineno, node.col_offset + 1, logical=where)  # type: ignore[attr-defined]


def _shown(path: Path, root: Path | None) -> str:
    root = (root or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()
