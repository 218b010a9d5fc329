"""The part of a catalog snapshot the convention rules look at, grouped by table; plus their options."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.catalog import CatalogSnapshot, Column, Constraint, Index, Table, Trigger
from infra.catalog.base import qualified

# Words that end in "s" and are singular (or have no plural): never flagged as plural table names.
SINGULAR_EXCEPTIONS = frozenset(
    {"settings", "status", "address", "news", "series", "species", "alias", "analysis", "basis"}
    | {"canvas", "atlas", "gas", "bias", "lens", "analytics", "statistics", "access", "business"}
)
# Plurals that do not end in "s".
IRREGULAR_PLURALS = frozenset({"people", "children", "men", "women", "criteria", "phenomena"})


@dataclass(frozen=True)
class AuditOptions:
    """What the conventions name; the defaults are schema/CONVENTIONS.md's."""

    tenant_table: str = "org"  # the tenant anchor: exempt from the tenant rule, the FKs' target
    tenant_column: str = "org_id"
    singular_exceptions: frozenset[str] = SINGULAR_EXCEPTIONS
    irregular_plurals: frozenset[str] = IRREGULAR_PLURALS
    uuid_defaults: tuple[str, ...] = ("gen_random_uuid()",)
    timestamp_defaults: tuple[str, ...] = ("now()", "CURRENT_TIMESTAMP", "transaction_timestamp()")
    updated_at_function: str = "set_updated_at"
    updated_at_trigger: str | None = "trg_{table}_set_updated_at"  # its name; None: any name
    length_rule_marker: str = "length-rule:"


@dataclass(frozen=True)
class SchemaView:
    """The audited tables (not excluded, not partitions: those follow their parent) and their parts."""

    convention: Mapping[str, Any]
    options: AuditOptions
    tables: tuple[Table, ...]
    columns: Mapping[str, tuple[Column, ...]] = field(default_factory=dict)  # by table key
    constraints: Mapping[str, tuple[Constraint, ...]] = field(default_factory=dict)
    indexes: Mapping[str, tuple[Index, ...]] = field(default_factory=dict)
    triggers: Mapping[str, tuple[Trigger, ...]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        snapshot: CatalogSnapshot,
        convention: Mapping[str, Any],
        exclude_tables: Iterable[str] = ("alembic_version",),
        options: AuditOptions | None = None,
    ) -> SchemaView:
        excluded = set(exclude_tables)
        tables = tuple(
            t
            for t in snapshot.tables
            if t.name not in excluded and t.key not in excluded and t.partition_bound is None
        )
        keys = {t.key for t in tables}

        def by_table(objects: Iterable[Column | Constraint | Index | Trigger]) -> dict[str, tuple[Any, ...]]:
            grouped: dict[str, list[Any]] = defaultdict(list)
            for obj in objects:
                key = f"{obj.schema}.{obj.table}"
                if key in keys and not getattr(obj, "on_domain", False):
                    grouped[key].append(obj)
            return {k: tuple(v) for k, v in grouped.items()}

        return cls(
            convention,
            options or AuditOptions(),
            tables,
            by_table(snapshot.columns),
            by_table(snapshot.constraints),
            by_table(snapshot.indexes),
            by_table(snapshot.triggers),
        )

    def column(self, table: Table, name: str) -> Column | None:
        return next((c for c in self.columns.get(table.key, ()) if c.name == name), None)

    def constraints_of(self, table: Table, *types: str) -> tuple[Constraint, ...]:
        return tuple(c for c in self.constraints.get(table.key, ()) if c.type in types)


SNAKE_CASE = re.compile(r"[a-z][a-z0-9_]*")  # schema/CONVENTIONS.md's `^[a-z][a-z0-9_]*$`


def is_snake_case(name: str) -> bool:
    """Lowercase ASCII letters, digits and underscores, starting with a letter."""
    return SNAKE_CASE.fullmatch(name) is not None


def looks_plural(name: str, options: AuditOptions) -> bool:
    """The heuristic: the last word of a snake_case name is plural when it is an irregular plural, or
    ends in "s" but not in "ss", "us" or "is" (address, status, analysis) and is not an exception."""
    last = name.rsplit("_", 1)[-1]
    if last in options.irregular_plurals:
        return True
    if last in options.singular_exceptions or not last.endswith("s"):
        return False
    return not last.endswith(("ss", "us", "is"))


def singular_of(name: str) -> str:
    """A guess at the singular, for hints: categories -> category, boxes -> box, orders -> order."""
    head, sep, last = name.rpartition("_")
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith(("xes", "ches", "shes", "sses")):
        last = last[:-2]
    elif last.endswith("s"):
        last = last[:-1]
    return f"{head}{sep}{last}"


def table_label(table: Table) -> str:
    return qualified(table.schema, table.name)
