"""Fixtures for the migration checks: the Alembic tree under test, its models, throwaway databases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.config import REPO_ROOT
from infra.migrations.checks import load_metadata
from infra.migrations.tree import AlembicTree

ALEMBIC_INI_VAR = "ORDERFLOW_ALEMBIC_INI"
METADATA_VAR = "ORDERFLOW_TARGET_METADATA"


@pytest.fixture(scope="session")
def alembic_tree(pytestconfig: pytest.Config) -> AlembicTree:
    """--alembic-ini, else ORDERFLOW_ALEMBIC_INI, else schema/alembic.ini."""
    ini = (
        pytestconfig.getoption("--alembic-ini")
        or os.environ.get(ALEMBIC_INI_VAR)
        or REPO_ROOT / "schema/alembic.ini"
    )
    return AlembicTree(Path(ini))


@pytest.fixture(scope="session")
def target_metadata(pytestconfig: pytest.Config) -> sa.MetaData:
    """The models the migrations must agree with: ORDERFLOW_TARGET_METADATA, else schema.models:metadata."""
    return load_metadata(os.environ.get(METADATA_VAR, "schema.models:metadata"))
