"""Take a normalized snapshot of a database's catalog in one round trip."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from infra.pgcatalog.queries import QUERIES

Fields = dict[str, Any]


def _union_sql() -> str:
    parts = [
        f"SELECT '{kind}' AS kind, x.name, x.fields FROM ({sql}) AS x(name, fields)"
        for kind, sql in QUERIES.items()
    ]
    return "\nUNION ALL\n".join(parts)


_SQL = sa.text(_union_sql())


@dataclass(frozen=True)
class CatalogSnapshot:
    """kind -> object name -> fields. Deterministic: equal schemas give equal snapshots."""

    objects: Mapping[str, Mapping[str, Fields]] = field(default_factory=dict)

    def kind(self, name: str) -> Mapping[str, Fields]:
        return self.objects.get(name, {})

    def to_json(self) -> str:
        return json.dumps(self.objects, sort_keys=True, indent=1)

    @classmethod
    def from_json(cls, text: str) -> CatalogSnapshot:
        return cls(json.loads(text))


def _normalize(kind: str, fields: Fields, include_owners: bool) -> Fields:
    out = {k: v for k, v in fields.items() if v is not None and not (k == "owner" and not include_owners)}
    if isinstance(out.get("acl"), list):
        out["acl"] = sorted(out["acl"])
    return out


def snapshot(
    conn: sa.Connection,
    schemas: Sequence[str] = ("public",),
    exclude_tables: Sequence[str] = ("alembic_version",),
    include_owners: bool = False,
) -> CatalogSnapshot:
    """Tables, columns, constraints, indexes, extensions, sequences, types, views, functions,
    triggers, schemas: with definitions as PostgreSQL renders them, comments and grants.

    Owners are left out by default (a restored copy is owned by whoever restored it).
    """
    rows = conn.execute(_SQL, {"schemas": list(schemas), "exclude": list(exclude_tables)}).all()
    objects: dict[str, dict[str, Fields]] = {kind: {} for kind in QUERIES}
    for kind, name, fields in rows:
        objects[kind][name] = _normalize(kind, fields, include_owners)
    return CatalogSnapshot({k: dict(sorted(v.items())) for k, v in objects.items()})
