"""SET NOT NULL on item.note, which holds nulls."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """SET NOT NULL on item.note, which holds nulls."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "note", nullable=False)


def downgrade() -> None:
    """Undo it."""
    op.alter_column("item", "note", nullable=True)
