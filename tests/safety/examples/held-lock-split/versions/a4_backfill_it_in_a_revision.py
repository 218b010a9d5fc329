"""Backfill it in a revision (and transaction) of its own."""

from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Backfill it in a revision (and transaction) of its own."""
    op.execute("UPDATE item SET extra = code")


def downgrade() -> None:
    """Undo it."""
    pass
