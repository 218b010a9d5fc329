"""Fixtures for the convention audit: the catalog of a scratch database upgraded to head, and the naming
convention of the models it must follow."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from infra.audit import audit
from infra.catalog import CatalogSnapshot, snapshot
from infra.config import REPO_ROOT
from infra.databases import scratch_database, with_database
from infra.findings import Finding
from infra.migrations.checks import load_metadata

ALEMBIC_INI_VAR = "ORDERFLOW_ALEMBIC_INI"
METADATA_VAR = "ORDERFLOW_TARGET_METADATA"


@pytest.fixture(scope="session")
def alembic_ini(pytestconfig: pytest.Config) -> Path:
    """--alembic-ini, else ORDERFLOW_ALEMBIC_INI, else schema/alembic.ini."""
    return Path(
        pytestconfig.getoption("--alembic-ini")
        or os.environ.get(ALEMBIC_INI_VAR)
        or REPO_ROOT / "schema" / "alembic.ini"
    )


@pytest.fixture(scope="session")
def naming_convention() -> Mapping[str, Any]:
    """The models' naming convention: ORDERFLOW_TARGET_METADATA's, else schema.models:metadata's."""
    return dict(load_metadata(os.environ.get(METADATA_VAR, "schema.models:metadata")).naming_convention)


@pytest.fixture(scope="session")
def head_catalog(live_stack, alembic_ini: Path) -> CatalogSnapshot:
    """The catalog of a fresh database after `upgrade head` (the database is dropped afterwards)."""
    if not alembic_ini.is_file():
        pytest.fail(f"no Alembic config at {alembic_ini}: pass --alembic-ini or set {ALEMBIC_INI_VAR}")
    endpoints = live_stack.endpoints
    with scratch_database(endpoints.postgres_dsn(), "audit") as name:
        engine = sa.create_engine(with_database(endpoints.postgres_url(), name), poolclass=sa.pool.NullPool)
        try:
            with engine.begin() as conn:
                cfg = Config(str(alembic_ini))
                cfg.attributes["connection"] = conn
                cfg.attributes["configure_logger"] = False  # leave pytest's logging alone
                command.upgrade(cfg, "head")
            return snapshot(engine)
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def head_findings(head_catalog: CatalogSnapshot, naming_convention: Mapping[str, Any]) -> list[Finding]:
    """Every violation of every rule at head; each check asserts its own rule's share."""
    return audit(head_catalog, naming_convention)
