"""What changed between two catalog snapshots, rendered for a person."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from infra.pgcatalog.snapshot import CatalogSnapshot


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    change: str  # "added", "removed" or "changed"
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (before, after)
    after: dict[str, Any] = field(default_factory=dict)  # the whole object, for added / removed

    def render(self) -> str:
        if self.change in ("added", "removed"):
            sign = "+" if self.change == "added" else "-"
            detail = self.after.get("definition") or self.after.get("type") or self.after.get("version") or ""
            return f"{sign} {self.kind} {self.name}" + (f": {detail}" if detail else "")
        lines = [f"~ {self.kind} {self.name}"]
        for key, (old, new) in sorted(self.fields.items()):
            lines.append(f"    {key}: {_show(old)} -> {_show(new)}")
        return "\n".join(lines)


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value) if not isinstance(value, str) else value


@dataclass(frozen=True)
class CatalogDiff:
    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def render(self) -> str:
        """One block per changed object; '-' before only, '+' after only, '~' changed fields."""
        return "\n".join(c.render() for c in self.changes)


def diff(before: CatalogSnapshot, after: CatalogSnapshot) -> CatalogDiff:
    changes = []
    for kind in sorted(set(before.objects) | set(after.objects)):
        old, new = before.kind(kind), after.kind(kind)
        for name in sorted(set(old) | set(new)):
            if name not in new:
                changes.append(Change(kind, name, "removed", after=dict(old[name])))
            elif name not in old:
                changes.append(Change(kind, name, "added", after=dict(new[name])))
            elif old[name] != new[name]:
                keys = set(old[name]) | set(new[name])
                fields = {
                    k: (old[name].get(k), new[name].get(k))
                    for k in keys
                    if old[name].get(k) != new[name].get(k)
                }
                changes.append(Change(kind, name, "changed", fields=fields))
    return CatalogDiff(tuple(changes))
