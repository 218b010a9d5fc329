"""An env.py as Alembic's template writes it: one transaction per command (no transaction_per_migration).
The harness hands in the connection."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import context

config = context.config


def _target_metadata():  # type: ignore[no-untyped-def]
    models = config.get_main_option("models")
    if not models:
        return None
    spec = importlib.util.spec_from_file_location(f"scenario_models_{abs(hash(models))}", Path(models))
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.metadata


connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=_target_metadata())
with context.begin_transaction():
    context.run_migrations()
