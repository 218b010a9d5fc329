"""Add org.email, and drop it again on downgrade: this one is fine."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add a nullable email."""
    op.add_column("org", sa.Column("email", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    op.drop_column("org", "email")
