"""Like tests/migrations/examples/_env, but every revision of one `upgrade` runs in a single
transaction (transaction_per_migration=False), as some projects configure it."""

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
context.configure(connection=connection, target_metadata=_target_metadata(), transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
