"""A history as a graph: each revision's ancestors (down revisions and `depends_on`, transitively),
the heads of a set of applied revisions, and the order the policy's `downgrade_floor` is read in.

The walk keeps the set of revisions applied to its database; a revision is walked from a state that
holds all its ancestors, and its downgrade must bring back exactly that state.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.migrations.tree import Revision


class History:
    """Revisions in parents-first order (AlembicTree.revisions()) and their ancestor sets."""

    def __init__(self, revisions: list[Revision]) -> None:
        self.revisions = revisions
        self.by_id = {r.id: r for r in revisions}
        self._ancestors: dict[str, frozenset[str]] = {}
        for rev in revisions:  # parents first: each parent's set is known already
            found: set[str] = set()
            for parent in rev.parents:
                found |= {parent} | self._ancestors.get(parent, frozenset())
            self._ancestors[rev.id] = frozenset(found)

    def ancestors(self, revision: str) -> frozenset[str]:
        """Every revision that must be applied before `revision` (not itself)."""
        return self._ancestors[revision]

    def closure(self, revisions: Iterable[str]) -> frozenset[str]:
        """The revisions and all their ancestors: what a database at those heads has applied."""
        found: set[str] = set()
        for rev in revisions:
            found |= {rev} | self._ancestors.get(rev, frozenset())
        return frozenset(found)

    def heads(self, applied: Iterable[str]) -> tuple[str, ...]:
        """The applied revisions no other applied revision descends from, in walk order."""
        applied = set(applied)
        below = set().union(*(self._ancestors[r] for r in applied)) if applied else set()
        return tuple(r.id for r in self.revisions if r.id in applied and r.id not in below)

    def floor_order(self, floor: str | None) -> list[str]:
        """Revision ids with `floor` and its ancestors first: Policy.declared reads "at or below the
        floor" as "before it in this list", which is "the floor or one of its ancestors" in a graph."""
        if floor is None or floor not in self.by_id:
            return [r.id for r in self.revisions]
        below = self._ancestors[floor] | {floor}
        first = [r.id for r in self.revisions if r.id in below]
        return first + [r.id for r in self.revisions if r.id not in below]
