"""Add org.seats (integer)."""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Add a nullable seat count."""
    op.add_column("org", sa.Column("seats", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Remove it."""
    op.drop_column("org", "seats")
