"""Fixtures for the catalog tests: scratch databases on the live stack and a way to run SQL on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from infra.stack.databases import rolled_back, scratch_database, with_database

SCENARIOS = Path(__file__).parent / "scenarios"
RunSql = Callable[[str, str], None]


def _run_sql(dsn: str, sql: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)  # no parameters: several statements in one go


@pytest.fixture
def run_sql() -> RunSql:
    """`run_sql(dsn, sql)`: run SQL (several statements allowed) in autocommit."""
    return _run_sql


@pytest.fixture
def base_sql() -> str:
    return (SCENARIOS / "base.sql").read_text()


@pytest.fixture(scope="session")
def base_dsn(live_stack) -> Iterator[str]:
    """A database holding scenarios/base.sql, one per session (per xdist worker): change it only
    inside a transaction that is rolled back (`base_conn`)."""
    admin = live_stack.endpoints.postgres_dsn()
    with scratch_database(admin, "catalog") as name:
        dsn = with_database(admin, name)
        _run_sql(dsn, (SCENARIOS / "base.sql").read_text())
        yield dsn


@pytest.fixture
def base_conn(base_dsn: str) -> Iterator[psycopg.Connection]:
    """A connection to the base database in a transaction rolled back afterwards."""
    with rolled_back(base_dsn) as conn:
        yield conn


@pytest.fixture
def other_scratch_dsn(live_stack) -> Iterator[str]:
    """A second fresh empty database, for comparisons between two databases."""
    admin = live_stack.endpoints.postgres_dsn()
    with scratch_database(admin, "catalog") as name:
        yield with_database(admin, name)
