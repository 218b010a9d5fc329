"""Fixtures for the audit's negative cases: a database holding scenarios/valid.sql, and the naming
convention the scenarios follow (tests/audit/convention.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infra.stack.databases import rolled_back, scratch_database, with_database
from tests.audit.convention import CONVENTION

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def convention() -> dict[str, str]:
    return dict(CONVENTION)


@pytest.fixture(scope="session")
def valid_dsn(live_stack) -> Iterator[str]:
    """A database holding scenarios/valid.sql, one per session (per xdist worker); change it only
    inside `scenario_conn`."""
    admin = live_stack.endpoints.postgres_dsn()
    with scratch_database(admin, "audit") as name:
        dsn = with_database(admin, name)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute((SCENARIOS / "valid.sql").read_text())
        yield dsn


@pytest.fixture
def scenario_conn(valid_dsn: str) -> Iterator[psycopg.Connection]:
    """A connection to the valid database inside a transaction that is rolled back afterwards."""
    with rolled_back(valid_dsn) as conn:
        yield conn
