"""Add org.note; its downgrade is declared impossible by raising NotImplementedError."""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Add a nullable note."""
    op.add_column("org", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Not supported."""
    raise NotImplementedError("downgrades below a2 are not supported")
