"""Feature branch one: org.note."""

import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade() -> None:
    """Add a nullable note."""
    op.add_column("org", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Remove it."""
    op.drop_column("org", "note")
