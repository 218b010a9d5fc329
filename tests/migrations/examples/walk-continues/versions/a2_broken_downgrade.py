"""Add org.note; the downgrade drops a column that does not exist (PostgreSQL refuses)."""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Add a nullable note."""
    op.add_column("org", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the wrong column."""
    op.drop_column("org", "notes")
