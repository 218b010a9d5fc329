"""Backfill item.qty, then SET NOT NULL (a full scan under ACCESS EXCLUSIVE)."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Backfill item.qty, then SET NOT NULL (a full scan under ACCESS EXCLUSIVE)."""
    op.execute("UPDATE item SET qty = 0 WHERE qty IS NULL")
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "qty", nullable=False)


def downgrade() -> None:
    """Undo it."""
    op.alter_column("item", "qty", nullable=True)
