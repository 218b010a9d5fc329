"""What changed between two catalog snapshots, object by object and field by field, for a person."""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from infra.catalog.base import CatalogObject
from infra.catalog.model import KINDS, CatalogSnapshot

Action = Literal["added", "removed", "changed"]
_SIGN = {"added": "+", "removed": "-", "changed": "~"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any

    def render(self) -> str:
        old, new = show(self.old), show(self.new)
        if "\n" in old or "\n" in new:  # view definitions: a line diff reads better than two blocks
            lines = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1)
            body = "\n".join(f"      {line}" for line in list(lines)[2:])
            return f"{self.field}:\n{body}"
        return f"{self.field}: {old} → {new}"


@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    label: str
    action: Action
    summary: str = ""  # the object, for added / removed
    fields: tuple[FieldChange, ...] = ()  # for changed

    def render(self) -> str:
        head = f"{_SIGN[self.action]} {self.kind} {self.label}"
        if self.action != "changed":
            return f"{head}: {self.summary}" if self.summary else head
        return "\n".join(f"{head}: {f.render()}" for f in self.fields)


@dataclass(frozen=True)
class CatalogDiff:
    """Changes by kind (schemas, extensions, types, tables, columns...) then by key. Empty iff equal."""

    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def render(self) -> str:
        """`- index ix_x: CREATE INDEX ...`, `+ column org.note: text NULL`,
        `~ column org.settings: default: '{}'::jsonb → (none)`; "" when nothing changed."""
        return "\n".join(c.render() for c in self.changes)


def show(value: Any) -> str:
    """A field value as text: NULL as `(none)`, booleans and lists as JSON."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return json.dumps(value)


def _field_changes(old: CatalogObject, new: CatalogObject) -> tuple[FieldChange, ...]:
    return tuple(
        FieldChange(f.name, getattr(old, f.name), getattr(new, f.name))
        for f in dataclasses.fields(old)
        if getattr(old, f.name) != getattr(new, f.name)
    )


def diff(before: CatalogSnapshot, after: CatalogSnapshot) -> CatalogDiff:
    """Every object added, removed or changed from `before` to `after`. Pure."""
    changes: list[Change] = []
    for cls in KINDS:
        old = {o.key: o for o in before.objects(cls.kind)}
        new = {o.key: o for o in after.objects(cls.kind)}
        for key in sorted(old.keys() | new.keys()):
            a, b = old.get(key), new.get(key)
            if a is not None and b is None:
                changes.append(Change(cls.kind, key, a.label, "removed", a.summary()))
            elif a is None and b is not None:
                changes.append(Change(cls.kind, key, b.label, "added", b.summary()))
            elif a is not None and b is not None and a != b:
                changes.append(Change(cls.kind, key, b.label, "changed", fields=_field_changes(a, b)))
    return CatalogDiff(tuple(changes))
