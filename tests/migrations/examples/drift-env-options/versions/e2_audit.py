"""An audit_log table no model declares, and org.created_at with a server default the model omits."""

import sqlalchemy as sa
from alembic import op

revision = "e2"
down_revision = "a1"


def upgrade() -> None:
    """The table and the column."""
    op.create_table(
        "audit_log", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("entry", sa.Text())
    )
    op.add_column(
        "org", sa.Column("created_at", sa.DateTime(), server_default=sa.text("now()"), nullable=True)
    )


def downgrade() -> None:
    """Remove exactly what upgrade added."""
    op.drop_column("org", "created_at")
    op.drop_table("audit_log")
