"""Backfill it: a revision of its own, but this env runs every revision in one transaction."""

from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Backfill it: a revision of its own, but this env runs every revision in one transaction."""
    op.execute("UPDATE item SET extra = code")


def downgrade() -> None:
    """Undo it."""
    pass
