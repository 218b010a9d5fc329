"""Create item: the existing, populated table the safety cases change."""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """An item per org, with a nullable note, a quantity, a code and a short label."""
    op.create_table(
        "item",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("org_id", sa.Uuid(), sa.ForeignKey("org.id", name="fk_item_org_id_org"), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("label", sa.String(50), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_item"),
    )
    op.create_index("ix_item_org_id", "item", ["org_id"])


def downgrade() -> None:
    """Drop item."""
    op.drop_table("item")
