"""Alembic environment for OrderFlow.

Online: uses `config.attributes["connection"]` when the caller (the harness, a test) hands one over,
else builds an engine from DATABASE_URL / POSTGRES_* (schema.database). Offline (`--sql`): renders
SQL for PostgreSQL without a database. Every run holds a PostgreSQL advisory lock, so two concurrent
`alembic upgrade` calls serialize, and sets lock_timeout / statement_timeout on its connection.

Timeouts: `-x lock_timeout=5s -x statement_timeout=60s -x lock_wait=300s`, or the environment
variables ORDERFLOW_MIGRATION_LOCK_TIMEOUT / _STATEMENT_TIMEOUT / _LOCK_WAIT.
"""

from __future__ import annotations

import os
import re
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, pool, text

from schema.database import DatabaseSettings, make_engine
from schema.models import metadata

MIGRATION_LOCK_KEY = 7_362_819_001  # pg_advisory_lock key shared by every OrderFlow migration run
DEFAULTS = {"lock_timeout": "5s", "statement_timeout": "60s", "lock_wait": "300s"}

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def setting(name: str) -> str:
    """A timeout from `-x name=...`, else ORDERFLOW_MIGRATION_<NAME>, else the default; validated."""
    value = context.get_x_argument(as_dictionary=True).get(name) or os.environ.get(
        f"ORDERFLOW_MIGRATION_{name.upper()}", DEFAULTS[name]
    )
    if not re.fullmatch(r"\d+(ms|s|min)?", value):
        raise ValueError(f"migration setting {name}={value!r}: use a PostgreSQL duration such as 5s or 500ms")
    return value


def configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_offline() -> None:
    configure(dialect_name="postgresql", literal_binds=True, dialect_opts={"paramstyle": "named"})
    context.execute(f"SET lock_timeout = '{setting('lock_wait')}'")
    context.execute(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
    context.execute(f"SET lock_timeout = '{setting('lock_timeout')}'")
    context.execute(f"SET statement_timeout = '{setting('statement_timeout')}'")
    with context.begin_transaction():
        context.run_migrations()
    context.execute(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")


def run_on_callers_connection(conn: Connection) -> None:
    """The caller owns the transaction: transaction-scoped settings and lock, nothing committed here."""
    conn.execute(text(f"SET LOCAL lock_timeout = '{setting('lock_wait')}'"))
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    conn.execute(text(f"SET LOCAL lock_timeout = '{setting('lock_timeout')}'"))
    conn.execute(text(f"SET LOCAL statement_timeout = '{setting('statement_timeout')}'"))
    configure(connection=conn)
    with context.begin_transaction():
        context.run_migrations()


def run_on_own_connection() -> None:
    """One transaction per migration, under a session-level advisory lock."""
    engine = make_engine(DatabaseSettings(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        conn.execute(text(f"SET lock_timeout = '{setting('lock_wait')}'"))
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        try:
            conn.execute(text(f"SET lock_timeout = '{setting('lock_timeout')}'"))
            conn.execute(text(f"SET statement_timeout = '{setting('statement_timeout')}'"))
            conn.commit()  # end the implicit transaction so each migration gets its own
            configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            conn.rollback()
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
elif (external := config.attributes.get("connection")) is not None:
    run_on_callers_connection(external)
else:
    run_on_own_connection()
