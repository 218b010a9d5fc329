"""A neutral Alembic env for the safety benchmark: online on the connection the harness hands in
(`config.attributes["connection"]`, each revision in its own transaction, as most projects run), or
offline (`--sql`) as PostgreSQL text for squawk. Used for our example trees and for public histories
whose own env.py needs their application (only their versions/ directory is used)."""

from alembic import context

config = context.config
# A tree whose own env runs all revisions in one transaction asks for the same here.
per_migration = not config.get_main_option("one_transaction")

if context.is_offline_mode():
    context.configure(
        dialect_name="postgresql",
        literal_binds=True,
        transaction_per_migration=per_migration,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    context.configure(connection=config.attributes["connection"], transaction_per_migration=per_migration)
    with context.begin_transaction():
        context.run_migrations()
