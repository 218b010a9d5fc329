"""Add item.extra with no lock_timeout."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add item.extra with no lock_timeout."""
    op.add_column("item", sa.Column("extra", sa.Text()))


def downgrade() -> None:
    """Undo it."""
    op.drop_column("item", "extra")
