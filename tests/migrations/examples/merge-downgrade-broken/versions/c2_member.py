"""Feature branch two: a member table."""

import sqlalchemy as sa
from alembic import op

revision = "c2"
down_revision = "a1"


def upgrade() -> None:
    """Members of an org."""
    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("org_id", sa.Uuid(), sa.ForeignKey("org.id", name="fk_member_org_id_org"), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("member")
