"""A hostile env.py, as many projects write one: it migrates whatever DATABASE_URL names and ignores the
connection the harness hands over in config.attributes["connection"]."""

import os

import sqlalchemy as sa
from alembic import context

engine = sa.create_engine(os.environ["DATABASE_URL"], poolclass=sa.pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
