"""Migration settings, and the alembic CLI where no database is needed: offline SQL, bad config."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from schema.migrate import (
    ALEMBIC_INI,
    MIGRATION_LOCK_KEY,
    InvalidMigrationSetting,
    MigrationTimeouts,
    offline_prologue,
)

pytestmark = pytest.mark.schema
SECRET = "s3cr3t-Pa55"
ALEMBIC = [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI)]
DB_VARIABLES = (
    "DATABASE_URL",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
)


def alembic(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The alembic CLI from another directory, with no database variables but those given."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in DB_VARIABLES and not k.startswith("ORDERFLOW_MIGRATION_")
    }
    return subprocess.run(
        [*ALEMBIC, *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=Path("/"),
        timeout=120,
        check=False,
    )


def test_timeout_defaults():
    assert MigrationTimeouts.resolve({}, {}) == MigrationTimeouts("5s", "60s", "300s")


def test_x_arguments_win_over_the_environment():
    environ = {"ORDERFLOW_MIGRATION_LOCK_TIMEOUT": "2s", "ORDERFLOW_MIGRATION_STATEMENT_TIMEOUT": "10min"}
    timeouts = MigrationTimeouts.resolve({"lock_timeout": "750ms"}, environ)
    assert timeouts == MigrationTimeouts(lock_timeout="750ms", statement_timeout="10min", lock_wait="300s")


@pytest.mark.parametrize("value", ["5 seconds", "5s; DROP TABLE org", "-1s", "", "1.5s", "5S"])
def test_a_bad_timeout_names_the_setting(value):
    with pytest.raises(
        InvalidMigrationSetting, match=r"migration setting lock_wait=.*ORDERFLOW_MIGRATION_LOCK_WAIT"
    ):
        MigrationTimeouts(lock_wait=value)


def test_offline_prologue_locks_before_it_sets_the_timeouts():
    statements = offline_prologue(MigrationTimeouts("1s", "2s", "3s"))
    assert statements == [
        "SET lock_timeout = '3s'",
        f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})",
        "SET lock_timeout = '1s'",
        "SET statement_timeout = '2s'",
    ]


def test_upgrade_head_sql_works_offline():
    """`alembic upgrade head --sql` with no database configured at all."""
    result = alembic("upgrade", "head", "--sql", ORDERFLOW_MIGRATION_STATEMENT_TIMEOUT="90s")
    assert result.returncode == 0, result.stderr
    sql = result.stdout
    assert sql.index(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})") < sql.index("BEGIN;")
    assert "SET statement_timeout = '90s';" in sql
    assert "CREATE TABLE org (" in sql
    assert "CREATE INDEX ix_org_name ON org USING gin (name gin_trgm_ops);" in sql
    assert "CREATE TRIGGER trg_org_set_updated_at BEFORE UPDATE ON org" in sql
    assert sql.index("COMMIT;") < sql.index(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")


def test_downgrade_sql_works_offline():
    result = alembic("downgrade", "0001:base", "--sql")
    assert result.returncode == 0, result.stderr
    assert "DROP TABLE org;" in result.stdout
    assert "DROP EXTENSION vector;" in result.stdout


def test_upgrade_without_configuration_names_the_variables():
    result = alembic("upgrade", "head")
    assert result.returncode != 0
    assert "DatabaseNotConfigured" in result.stderr
    assert "missing: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB" in result.stderr


def test_a_bad_timeout_stops_the_cli_before_it_connects():
    result = alembic("upgrade", "head", "--sql", ORDERFLOW_MIGRATION_LOCK_TIMEOUT="soon")
    assert result.returncode != 0
    assert "migration setting lock_timeout='soon'" in result.stderr


def test_an_unreachable_database_says_where_without_the_password():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = alembic("upgrade", "head", DATABASE_URL=f"postgresql://app:{SECRET}@127.0.0.1:{port}/orders")
    assert result.returncode != 0
    assert (
        f"DatabaseUnavailable: cannot connect to postgresql+psycopg://app:***@127.0.0.1:{port}/orders"
        in result.stderr
    )
    assert SECRET not in result.stderr
