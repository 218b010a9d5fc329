"""The common shape of catalog objects: a kind, a stable key, a label for people, a one-line summary."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar


def qualified(schema: str, name: str) -> str:
    """`name` in `public`, `schema.name` elsewhere: how objects are shown."""
    return name if schema == "public" else f"{schema}.{name}"


@dataclass(frozen=True)
class CatalogObject:
    """Every object has a `key` (unique within its kind, the same in every database with this schema)
    and a `label` (how a person reads it: the schema is left out when it is `public`)."""

    kind: ClassVar[str]
    section: ClassVar[str]  # its field in CatalogSnapshot

    @property
    def key(self) -> str:
        raise NotImplementedError

    @property
    def label(self) -> str:
        return self.key

    def summary(self) -> str:
        """One line shown for an added or removed object."""
        return ""


@dataclass(frozen=True)
class SchemaObject(CatalogObject):
    """An object named within a schema: tables, indexes, sequences, types, views."""

    schema: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def label(self) -> str:
        return qualified(self.schema, self.name)


@dataclass(frozen=True)
class TableObject(CatalogObject):
    """An object named within a table: columns, constraints, triggers, policies."""

    schema: str
    table: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}.{self.name}"

    @property
    def label(self) -> str:
        return f"{self.name} on {qualified(self.schema, self.table)}"


T = TypeVar("T", bound=CatalogObject)


def build(cls: type[T], raw: Mapping[str, Any]) -> T:
    """An object from a JSON mapping: lists become tuples; an unknown field is an error naming it."""
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(raw) - names
    if unknown:
        raise ValueError(f"{cls.kind}: unknown field(s) {sorted(unknown)} in {dict(raw)!r}")
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})
