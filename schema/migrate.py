"""What every migration run shares: where the Alembic tree is, its timeouts, its advisory lock.

env.py calls `migration_guard()` around `run_migrations()`; callers (the harness, tests, tools) use
`alembic_config(connection)` to migrate a database of their choosing:

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path

from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
# pg_advisory_lock key held by every OrderFlow migration run. Fixed forever: two runs with different
# keys would not serialize. pg_locks shows a bigint key split into classid (high) and objid (low).
MIGRATION_LOCK_KEY = 7_362_819_001
_LOCK_IN_PG_LOCKS = f"classid = {MIGRATION_LOCK_KEY >> 32} AND objid = {MIGRATION_LOCK_KEY & 0xFFFFFFFF}"
ENV_PREFIX = "ORDERFLOW_MIGRATION_"
_DURATION = re.compile(r"\d+(us|ms|s|min|h|d)?")
_LOCK_NOT_AVAILABLE = "55P03"


class InvalidMigrationSetting(ValueError):
    """A timeout that is not a PostgreSQL duration; the message names the setting."""


class MigrationLockTimeout(RuntimeError):
    """Another migration run held the advisory lock for longer than `lock_wait`."""


@dataclass(frozen=True)
class MigrationTimeouts:
    """PostgreSQL durations ("5s", "500ms", "0" = no limit) for a migration run."""

    lock_timeout: str = "5s"  # a DDL statement waits at most this long for a table lock
    statement_timeout: str = "60s"  # no single statement runs longer
    lock_wait: str = "300s"  # wait this long for another run to release the migration lock

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not _DURATION.fullmatch(value):
                source = f"-x {f.name}=... or {ENV_PREFIX}{f.name.upper()}"
                raise InvalidMigrationSetting(
                    f"migration setting {f.name}={value!r} ({source}): "
                    "use a PostgreSQL duration such as 5s, 500ms or 2min"
                )

    @classmethod
    def resolve(cls, x_args: Mapping[str, str], environ: Mapping[str, str]) -> MigrationTimeouts:
        """Each timeout from `-x name=...`, else ORDERFLOW_MIGRATION_<NAME>, else the default."""
        chosen = {}
        for f in fields(cls):
            value = x_args.get(f.name) or environ.get(f"{ENV_PREFIX}{f.name.upper()}")
            if value:
                chosen[f.name] = value.strip()
        return replace(cls(), **chosen)


def alembic_config(
    connection: Connection | None = None, timeouts: MigrationTimeouts | None = None, ini: Path = ALEMBIC_INI
) -> Config:
    """An Alembic Config for the schema; with `connection`, commands run on it (env.py honours it).

    If the connection is in a transaction, everything runs in it and nothing is committed: the
    caller commits or rolls back. Otherwise each migration commits on its own, as with the CLI.
    """
    config = Config(str(ini))
    if connection is not None:
        config.attributes["connection"] = connection
    if timeouts is not None:
        config.attributes["timeouts"] = timeouts
    return config


def offline_prologue(timeouts: MigrationTimeouts) -> list[str]:
    """SQL that a `--sql` script starts with: the lock (waiting at most lock_wait), then the timeouts."""
    return [
        f"SET lock_timeout = '{timeouts.lock_wait}'",
        f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})",
        f"SET lock_timeout = '{timeouts.lock_timeout}'",
        f"SET statement_timeout = '{timeouts.statement_timeout}'",
    ]


def offline_epilogue() -> list[str]:
    return [f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"]


@contextmanager
def migration_guard(conn: Connection, timeouts: MigrationTimeouts) -> Iterator[None]:
    """Hold the migration lock and apply the timeouts on `conn` for the block, then put things back.

    In the caller's transaction: a transaction-scoped lock and SET LOCAL, so the caller's commit or
    rollback releases the lock, and nothing is committed here; the previous timeouts are restored
    when the block succeeds. Outside a transaction: a session lock and session settings, released and
    restored on the way out, whatever happened.
    """
    if conn.in_transaction():
        previous = _current_timeouts(conn)
        _acquire(conn, "pg_advisory_xact_lock", timeouts, local=True)
        _apply(conn, timeouts, local=True)
        yield
        _restore(conn, previous, local=True)
        return
    previous = _current_timeouts(conn)
    try:
        _acquire(conn, "pg_advisory_lock", timeouts, local=False)
    except MigrationLockTimeout:
        conn.rollback()  # also undoes the SET of lock_timeout
        raise
    _apply(conn, timeouts, local=False)
    conn.commit()  # end our transaction: each migration then gets its own
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        _restore(conn, previous, local=False)
        conn.commit()


def _set(conn: Connection, name: str, value: str, *, local: bool) -> None:
    conn.execute(
        text("SELECT set_config(:name, :value, :local)"), {"name": name, "value": value, "local": local}
    )


def _current_timeouts(conn: Connection) -> dict[str, str]:
    names = ("lock_timeout", "statement_timeout")
    return {
        name: conn.execute(text("SELECT current_setting(:n)"), {"n": name}).scalar_one() for name in names
    }


def _acquire(conn: Connection, function: str, timeouts: MigrationTimeouts, *, local: bool) -> None:
    _set(conn, "lock_timeout", timeouts.lock_wait, local=local)
    try:
        conn.execute(text(f"SELECT {function}(:key)"), {"key": MIGRATION_LOCK_KEY})
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
            raise
        raise MigrationLockTimeout(
            f"waited {timeouts.lock_wait} for the migration lock ({function}({MIGRATION_LOCK_KEY})): "
            "another migration run holds it. Hint: its pid is in pg_locks (locktype 'advisory', "
            f"{_LOCK_IN_PG_LOCKS}); or wait longer with -x lock_wait=... / {ENV_PREFIX}LOCK_WAIT"
        ) from None


def _apply(conn: Connection, timeouts: MigrationTimeouts, *, local: bool) -> None:
    _set(conn, "lock_timeout", timeouts.lock_timeout, local=local)
    _set(conn, "statement_timeout", timeouts.statement_timeout, local=local)


def _restore(conn: Connection, previous: Mapping[str, str], *, local: bool) -> None:
    for name, value in previous.items():
        _set(conn, name, value, local=local)
