"""A revision of a history and the targets a command can be given (pure data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Revision:
    id: str
    down: str | None  # None for a base; the first parent of a merge
    doc: str
    parents: tuple[str, ...] = ()  # every down revision and `depends_on`, as revision ids

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class Only:
    """Exactly one revision's upgrade() or downgrade() as a command's target: the upgrade from a state
    holding its parents, the downgrade from one where nothing applied depends on it (what `alembic
    downgrade R@-1` does on a line, merges included, where Alembic's relative syntax is ambiguous)."""

    revision: str

    def __str__(self) -> str:
        return f"only {self.revision}"


Target = str | tuple[str, ...] | Only  # a revision, a state given by its heads, or one revision's step


def describe(target: Target) -> str:
    if isinstance(target, tuple):
        return ",".join(target) or "base"
    return str(target)
