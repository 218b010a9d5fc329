"""Add legacy.note to a table created before the history began."""

import sqlalchemy as sa
from alembic import op

revision = "n1"
down_revision = None


def upgrade() -> None:
    """Add a nullable note."""
    op.add_column("legacy", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    op.drop_column("legacy", "note")
