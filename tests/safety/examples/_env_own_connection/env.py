"""Like tests/migrations/examples/_env, but the migration runs on a connection of its own, opened from
the engine of the one handed over (`connection.engine.connect()`), as MLflow's env.py does."""

from alembic import context

config = context.config

with config.attributes["connection"].engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
