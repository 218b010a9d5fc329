"""Index org.email, reversibly."""

from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Index email."""
    op.create_index("ix_org_email", "org", ["email"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_org_email", "org")
