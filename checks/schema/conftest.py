"""Fixtures for the convention audit: the catalog of a scratch database upgraded to head, and the naming
convention of the models it must follow."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import sqlalchemy as sa

from infra.audit import audit
from infra.catalog import CatalogSnapshot, snapshot
from infra.findings import Finding
from infra.migrations.tree import AlembicTree, run
from infra.stack.databases import scratch_engine


@pytest.fixture(scope="session")
def naming_convention(target_metadata: sa.MetaData) -> Mapping[str, Any]:
    """The naming convention of the models the schema must follow."""
    return dict(target_metadata.naming_convention)


@pytest.fixture(scope="session")
def head_catalog(postgres_server, alembic_tree: AlembicTree) -> CatalogSnapshot:
    """The catalog of a fresh database after `upgrade head` (the database is dropped afterwards)."""
    with scratch_engine(postgres_server.admin_dsn, postgres_server.url, "audit") as engine:
        run(alembic_tree, engine, "upgrade", "head")
        return snapshot(engine)


@pytest.fixture(scope="session")
def head_findings(head_catalog: CatalogSnapshot, naming_convention: Mapping[str, Any]) -> list[Finding]:
    """Every violation of every rule at head; each check asserts its own rule's share."""
    return audit(head_catalog, naming_convention)
