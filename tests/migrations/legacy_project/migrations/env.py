"""The project's env.py, as its Alembic 1.8 template wrote it (online, on the harness's connection)."""

import sys
from pathlib import Path

from alembic import context

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root, for its models
from legacy_models import Base

config = context.config
context.configure(connection=config.attributes["connection"], target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
