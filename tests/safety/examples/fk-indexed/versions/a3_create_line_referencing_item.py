"""Create line referencing item."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Create line referencing item."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.create_table(
        "line",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "item_id", sa.Uuid(), sa.ForeignKey("item.id", name="fk_line_item_id_item"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name="pk_line"),
    )


def downgrade() -> None:
    """Undo it."""
    op.drop_table("line")
