"""Fixtures for the schema package's tests: engines on a fresh scratch database, migrated or not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.orm import Session, sessionmaker

from schema.database import make_session_factory
from schema.migrate import alembic_config


@pytest.fixture
def scratch_engine(scratch_database_url: str) -> Iterator[sa.Engine]:
    """An engine (no pool) on a fresh empty database: no tables, no extensions."""
    engine = sa.create_engine(scratch_database_url, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def migrated_engine(scratch_engine: sa.Engine) -> sa.Engine:
    """The scratch database at `upgrade head`, migrated through the connection attribute."""
    with scratch_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return scratch_engine


@pytest.fixture
def session_factory(migrated_engine: sa.Engine) -> sessionmaker[Session]:
    return make_session_factory(migrated_engine)
