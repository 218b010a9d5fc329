"""The safe versions: the index built CONCURRENTLY outside a transaction."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Build the index without blocking writes."""
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = '2s'")
        op.create_index("ix_item_code", "item", ["code"], postgresql_concurrently=True)


def downgrade() -> None:
    """Drop it the same way."""
    with op.get_context().autocommit_block():
        op.drop_index("ix_item_code", table_name="item", postgresql_concurrently=True)
