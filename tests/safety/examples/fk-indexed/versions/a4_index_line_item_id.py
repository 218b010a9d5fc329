"""Index line.item_id (a new, empty table: no CONCURRENTLY needed)."""

from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Index line.item_id (a new, empty table: no CONCURRENTLY needed)."""
    op.create_index("ix_line_item_id", "line", ["item_id"])


def downgrade() -> None:
    """Undo it."""
    op.drop_index("ix_line_item_id", table_name="line")
