"""Add item.extra and backfill it in the same transaction."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add item.extra and backfill it in the same transaction."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.add_column("item", sa.Column("extra", sa.Text()))
    op.execute("UPDATE item SET extra = code")


def downgrade() -> None:
    """Undo it."""
    op.drop_column("item", "extra")
