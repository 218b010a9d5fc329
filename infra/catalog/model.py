"""The snapshot itself: a sorted tuple of objects per kind, JSON round-trippable."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.catalog.base import CatalogObject, build
from infra.catalog.objects import (
    Column,
    Constraint,
    Extension,
    Function,
    Index,
    Policy,
    Schema,
    Sequence,
    Table,
    Trigger,
    Type,
    View,
)

# Kinds in the order a diff lists them: containers before their contents.
KINDS: tuple[type[CatalogObject], ...] = (
    Schema,
    Extension,
    Type,
    Table,
    Column,
    Constraint,
    Index,
    Sequence,
    View,
    Function,
    Trigger,
    Policy,
)
_BY_KIND = {cls.kind: cls for cls in KINDS}


@dataclass(frozen=True)
class CatalogSnapshot:
    """A database's catalog, normalized: equal schemas give equal snapshots (and equal JSON)."""

    schemas: tuple[Schema, ...] = ()
    extensions: tuple[Extension, ...] = ()
    types: tuple[Type, ...] = ()
    tables: tuple[Table, ...] = ()
    columns: tuple[Column, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    views: tuple[View, ...] = ()
    functions: tuple[Function, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    policies: tuple[Policy, ...] = ()

    def objects(self, kind: str) -> tuple[CatalogObject, ...]:
        """The objects of one kind ("table", "index"...), sorted by key."""
        objects: tuple[CatalogObject, ...] = getattr(self, _BY_KIND[kind].section)
        return objects

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {cls.section: [dataclasses.asdict(o) for o in self.objects(cls.kind)] for cls in KINDS}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CatalogSnapshot:
        """The inverse of `to_dict`; an unknown section or field is an error naming it."""
        unknown = set(data) - {k.section for k in KINDS}
        if unknown:
            raise ValueError(f"not a catalog snapshot: unknown section(s) {sorted(unknown)}")
        return cls.of(build(kind, raw) for kind in KINDS for raw in data.get(kind.section, []))

    @classmethod
    def from_json(cls, text: str) -> CatalogSnapshot:
        return cls.from_dict(json.loads(text))

    @classmethod
    def of(cls, objects: Iterable[CatalogObject]) -> CatalogSnapshot:
        """Objects sorted into their kinds, each by key; two different objects with one key: an error."""
        grouped: dict[str, dict[str, CatalogObject]] = {k.kind: {} for k in KINDS}
        for obj in objects:
            bucket = grouped[obj.kind]
            if bucket.get(obj.key, obj) != obj:
                raise ValueError(f"two different {obj.kind} objects with key {obj.key!r}")
            bucket[obj.key] = obj
        sections: dict[str, Any] = {
            _BY_KIND[kind].section: tuple(bucket[key] for key in sorted(bucket))
            for kind, bucket in grouped.items()
        }
        return cls(**sections)
