"""A project's env.py with its own autogenerate settings: audit_log is managed outside the models
(include_object), and server defaults are not compared (compare_server_default=False)."""

from __future__ import annotations

from alembic import context

config = context.config


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Leave audit_log to the migrations: no model declares it."""
    return not (type_ == "table" and name == "audit_log")


context.configure(
    connection=config.attributes["connection"],
    target_metadata=None,
    include_object=include_object,
    compare_server_default=False,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()
