"""Widen item.label to varchar(100) (binary compatible: no rewrite)."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Widen item.label to varchar(100) (binary compatible: no rewrite)."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "label", type_=sa.String(100))


def downgrade() -> None:
    """Undo it."""
    op.alter_column("item", "label", type_=sa.String(50))
