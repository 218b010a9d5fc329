"""Index item.code without CONCURRENTLY."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Index item.code without CONCURRENTLY."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.create_index("ix_item_code", "item", ["code"])


def downgrade() -> None:
    """Undo it."""
    op.drop_index("ix_item_code", table_name="item")
