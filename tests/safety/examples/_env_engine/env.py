"""The env.py pytest-alembic documents: `config.attributes["connection"]` is a connectable (an Engine
there) on which it calls `.connect()`; without one it builds an engine from sqlalchemy.url."""

import sqlalchemy as sa
from alembic import context

config = context.config

connectable = config.attributes.get("connection", None)
if connectable is None:
    connectable = sa.engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=sa.pool.NullPool
    )

with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
