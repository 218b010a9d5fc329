"""Alembic environment for OrderFlow's schema.

Online, on the caller's connection when one is handed over in `config.attributes["connection"]`
(see `schema.migrate.alembic_config`), else on one built from DATABASE_URL / POSTGRES_*
(`schema.database`). Offline (`--sql`), it renders PostgreSQL SQL without a database.

Every run holds a PostgreSQL advisory lock, so concurrent `alembic upgrade` calls serialize, and sets
lock_timeout / statement_timeout: `-x lock_timeout=5s -x statement_timeout=60s -x lock_wait=300s`, or
ORDERFLOW_MIGRATION_LOCK_TIMEOUT / _STATEMENT_TIMEOUT / _LOCK_WAIT (`schema.migrate`).
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, pool

from schema.database import connect, load_settings, make_engine
from schema.migrate import MigrationTimeouts, migration_guard, offline_epilogue, offline_prologue
from schema.models import metadata

config = context.config


def timeouts() -> MigrationTimeouts:
    given = config.attributes.get("timeouts")
    if isinstance(given, MigrationTimeouts):
        return given
    return MigrationTimeouts.resolve(context.get_x_argument(as_dictionary=True), os.environ)


def configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        compare_server_default=True,
        transaction_per_migration=True,
        **kwargs,
    )


def run_offline() -> None:
    configure(dialect_name="postgresql", literal_binds=True, dialect_opts={"paramstyle": "named"})
    for statement in offline_prologue(timeouts()):
        context.execute(statement)
    with context.begin_transaction():
        context.run_migrations()
    for statement in offline_epilogue():
        context.execute(statement)


def run_online(conn: Connection) -> None:
    with migration_guard(conn, timeouts()):
        configure(connection=conn)
        with context.begin_transaction():
            context.run_migrations()


def run_on_own_connection() -> None:
    engine = make_engine(load_settings(), poolclass=pool.NullPool)
    try:
        with connect(engine) as conn:
            run_online(conn)
    finally:
        engine.dispose()


# Logging is set up from alembic.ini only when run from the alembic CLI (cmd_opts set): a program
# calling alembic's command API (the harness, a test run) keeps its own logging configuration.
if config.config_file_name is not None and config.cmd_opts is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
elif (external := config.attributes.get("connection")) is not None:
    run_online(external)
else:
    run_on_own_connection()
