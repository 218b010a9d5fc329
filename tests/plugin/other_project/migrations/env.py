"""Runs on the connection the caller hands over (config.attributes["connection"]), as the harness does."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("this env.py runs on a connection given in config.attributes['connection']")
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
