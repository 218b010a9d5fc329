"""Normalized, deterministic snapshots of a database's pg_catalog, and readable diffs between two.

Take `before = snapshot(conn)` (one catalog query), change the schema, then
`changes = diff(before, snapshot(conn))`: empty when nothing changed, else `changes.render()`.
"""

from infra.catalog.base import CatalogObject
from infra.catalog.diff import CatalogDiff, Change, FieldChange, diff
from infra.catalog.model import KINDS, CatalogSnapshot
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
from infra.catalog.snapshot import normalize_acl, snapshot

__all__ = [
    "KINDS",
    "CatalogDiff",
    "CatalogObject",
    "CatalogSnapshot",
    "Change",
    "Column",
    "Constraint",
    "Extension",
    "FieldChange",
    "Function",
    "Index",
    "Policy",
    "Schema",
    "Sequence",
    "Table",
    "Trigger",
    "Type",
    "View",
    "diff",
    "normalize_acl",
    "snapshot",
]
