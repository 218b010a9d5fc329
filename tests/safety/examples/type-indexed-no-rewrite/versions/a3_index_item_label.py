"""Index item.label CONCURRENTLY (so the next revision changes an indexed column)."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Index item.label CONCURRENTLY, outside a transaction."""
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = '2s'")
        op.create_index("ix_item_label", "item", ["label"], postgresql_concurrently=True)


def downgrade() -> None:
    """Undo it."""
    with op.get_context().autocommit_block():
        op.drop_index("ix_item_label", table_name="item", postgresql_concurrently=True)
