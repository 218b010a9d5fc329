"""Create org."""

import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade() -> None:
    """Create org with a unique slug."""
    op.create_table(
        "org",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_org"),
        sa.UniqueConstraint("slug", name="uq_org_slug"),
    )


def downgrade() -> None:
    """Drop org."""
    op.drop_table("org")
