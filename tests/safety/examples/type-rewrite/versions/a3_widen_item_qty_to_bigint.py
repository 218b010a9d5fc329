"""Widen item.qty to bigint (rewrites the table)."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Widen item.qty to bigint (rewrites the table)."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "qty", type_=sa.BigInteger())


def downgrade() -> None:
    """Undo it."""
    op.alter_column("item", "qty", type_=sa.Integer())
