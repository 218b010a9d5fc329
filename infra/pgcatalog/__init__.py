"""Normalized pg_catalog snapshots of a database, and readable diffs between two of them."""

from infra.pgcatalog.diff import CatalogDiff, diff
from infra.pgcatalog.snapshot import CatalogSnapshot, snapshot

__all__ = ["CatalogDiff", "CatalogSnapshot", "diff", "snapshot"]
