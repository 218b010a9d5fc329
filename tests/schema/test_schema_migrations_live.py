"""Revision 0001 and the Alembic environment against a real, empty PostgreSQL database."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import IntegrityError, InternalError

from infra.environ import child_env
from schema.ddl import EXTENSION_MARKER
from schema.migrate import (
    ALEMBIC_INI,
    MIGRATION_LOCK_KEY,
    MigrationLockTimeout,
    MigrationTimeouts,
    alembic_config,
)

pytestmark = [pytest.mark.infra, pytest.mark.schema]
OURS = ("pg_trgm", "vector")


def extensions(conn: sa.Connection) -> dict[str, str | None]:
    query = (
        "SELECT extname, obj_description(oid, 'pg_extension') FROM pg_extension WHERE extname <> 'plpgsql'"
    )
    return {name: comment for name, comment in conn.execute(sa.text(query))}


def revision(conn: sa.Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def has_object(conn: sa.Connection, regclass: str) -> bool:
    return conn.execute(sa.text("SELECT to_regclass(:n) IS NOT NULL"), {"n": regclass}).scalar_one()


def has_function(conn: sa.Connection) -> bool:
    return conn.execute(sa.text("SELECT to_regprocedure('set_updated_at()') IS NOT NULL")).scalar_one()


def holds_migration_lock(conn: sa.Connection) -> bool:
    query = sa.text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
        "AND classid = :hi AND objid = :lo"
    )
    return (
        conn.execute(
            query, {"hi": MIGRATION_LOCK_KEY >> 32, "lo": MIGRATION_LOCK_KEY & 0xFFFFFFFF}
        ).scalar_one()
        > 0
    )


def timeouts_of(conn: sa.Connection) -> tuple[str, str]:
    return conn.execute(
        sa.text("SELECT current_setting('lock_timeout'), current_setting('statement_timeout')")
    ).one()


def test_upgrade_downgrade_upgrade(scratch_engine):
    """Up, down to an empty database again (extensions included), and up once more."""
    with scratch_engine.begin() as conn:
        assert extensions(conn) == {}
        command.upgrade(alembic_config(conn), "head")
    with scratch_engine.connect() as conn:
        assert revision(conn) == "0001"
        assert has_object(conn, "org") and has_object(conn, "ix_org_name") and has_function(conn)
        found = extensions(conn)
        assert set(found) == set(OURS)
        assert all(EXTENSION_MARKER in (found[name] or "") for name in OURS)
    with scratch_engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    with scratch_engine.connect() as conn:
        assert revision(conn) is None
        assert not has_object(conn, "org") and not has_function(conn)
        assert extensions(conn) == {}
    with scratch_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    with scratch_engine.connect() as conn:
        assert revision(conn) == "0001"
        assert has_object(conn, "org")


def test_an_extension_that_was_there_before_survives_the_downgrade(scratch_engine):
    with scratch_engine.begin() as conn:
        conn.execute(sa.text("CREATE EXTENSION pg_trgm"))
        before = extensions(conn)["pg_trgm"]
        command.upgrade(alembic_config(conn), "head")
        assert extensions(conn)["pg_trgm"] == before  # not marked: not ours
        command.downgrade(alembic_config(conn), "base")
        assert extensions(conn) == {"pg_trgm": before}


def test_downgrade_refuses_to_destroy_what_uses_an_extension(scratch_engine):
    """Something outside the schema has come to use `vector`: no CASCADE, the downgrade fails whole."""
    with scratch_engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
        conn.execute(sa.text("CREATE TABLE embedding (v vector(3))"))
    with (
        pytest.raises(InternalError, match="cannot drop extension vector because other objects depend on it"),
        scratch_engine.begin() as conn,
    ):
        command.downgrade(alembic_config(conn), "base")
    with scratch_engine.connect() as conn:
        assert revision(conn) == "0001"
        assert has_object(conn, "org") and has_object(conn, "embedding")


def test_the_callers_transaction_is_left_as_found(scratch_engine):
    """In the caller's transaction: nothing committed, timeouts restored, lock released by its commit."""
    with scratch_engine.connect() as conn:
        conn.execute(sa.text("SET statement_timeout = '42s'"))
        conn.commit()
        with conn.begin():
            command.upgrade(alembic_config(conn), "head")
            assert conn.in_transaction()
            assert timeouts_of(conn) == ("0", "42s")
            assert holds_migration_lock(conn)  # transaction-scoped: until the caller commits
            with scratch_engine.connect() as other:
                assert not has_object(other, "org")  # not committed behind the caller's back
        assert not holds_migration_lock(conn)
        assert timeouts_of(conn) == ("0", "42s")
        assert has_object(conn, "org")


def test_a_connection_outside_a_transaction_commits_each_migration(scratch_engine):
    """Outside a transaction it behaves like the CLI: committed, lock released, settings restored."""
    with scratch_engine.connect() as conn:
        conn.execute(sa.text("SET statement_timeout = '42s'"))
        conn.commit()
        command.upgrade(alembic_config(conn), "head")
        assert not conn.in_transaction()
        assert timeouts_of(conn) == ("0", "42s")
        assert not holds_migration_lock(conn)
        conn.rollback()
        with scratch_engine.connect() as other:
            assert revision(other) == "0001"


def upgrade(conn: sa.Connection, timeouts: MigrationTimeouts) -> None:
    command.upgrade(alembic_config(conn, timeouts), "head")


def upgrade_in_transaction(conn: sa.Connection, timeouts: MigrationTimeouts) -> None:
    with conn.begin():
        upgrade(conn, timeouts)


@pytest.mark.parametrize("in_transaction", [False, True])
def test_a_held_migration_lock_makes_the_run_wait_then_give_up(scratch_engine, in_transaction):
    """Another run holds the lock longer than lock_wait: a clear error, nothing written."""
    short = MigrationTimeouts(lock_wait="300ms")
    with scratch_engine.connect() as holder, scratch_engine.connect() as conn:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        holder.commit()
        with pytest.raises(
            MigrationLockTimeout, match=r"waited 300ms for the migration lock .*another migration run"
        ):
            upgrade_in_transaction(conn, short) if in_transaction else upgrade(conn, short)
        assert not conn.in_transaction()
        assert timeouts_of(conn) == ("0", "0")
        holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
        holder.commit()
        assert not has_object(conn, "org") and not has_object(conn, "alembic_version")
        conn.rollback()
        upgrade(conn, short)
        assert revision(conn) == "0001"


def test_two_concurrent_cli_upgrades_serialize(scratch_database_url):
    """Two deploys at once: one migrates, the other waits for the lock and finds nothing to do."""
    env = child_env({"DATABASE_URL": scratch_database_url})
    cmd = [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), "upgrade", "head"]
    runs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for run in runs:
        with run:
            _, stderr = run.communicate(timeout=120)
            results.append((run.returncode, stderr))
    for returncode, stderr in results:
        assert returncode == 0, stderr
    assert sum(stderr.count("Running upgrade  -> 0001") for _, stderr in results) == 1


def test_cli_upgrade_and_downgrade_on_its_own_connection(scratch_database_url, scratch_engine):
    env = child_env({"DATABASE_URL": scratch_database_url})
    cli = [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI)]
    up = subprocess.run([*cli, "upgrade", "head"], env=env, capture_output=True, text=True, check=False)
    assert up.returncode == 0, up.stderr
    with scratch_engine.connect() as conn:
        assert revision(conn) == "0001"
    down = subprocess.run([*cli, "downgrade", "base"], env=env, capture_output=True, text=True, check=False)
    assert down.returncode == 0, down.stderr
    with scratch_engine.connect() as conn:
        assert revision(conn) is None
        assert extensions(conn) == {}


def test_raw_sql_cannot_bypass_the_checks(migrated_engine):
    with pytest.raises(IntegrityError, match="ck_org_settings_is_object"), migrated_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO org (name, slug, settings) VALUES ('A', 'acme', '[1]')"))
    with pytest.raises(IntegrityError, match="ck_org_slug_format"), migrated_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO org (name, slug) VALUES ('A', 'Acme')"))
    with migrated_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM org")).scalar_one() == 0


def test_a_failed_run_releases_the_lock_and_restores_the_connection(scratch_engine):
    """A migration that fails (here: org exists already) must not leave the lock held."""
    with scratch_engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE org (x int)"))
        conn.commit()
        with pytest.raises(sa.exc.ProgrammingError, match='relation "org" already exists'):
            command.upgrade(alembic_config(conn), "head")
        assert not conn.in_transaction()
        assert not holds_migration_lock(conn)
        assert timeouts_of(conn) == ("0", "0")
        conn.rollback()
        assert extensions(conn) == {}  # the failed revision rolled back whole
