"""Instead of retyping qty (a rewrite): a new nullable bigint column, backfilled in batches later;
note is kept until no deployed release uses it (expand now, contract later)."""

import sqlalchemy as sa
from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Add item.qty_big, nullable: no rewrite, no scan, the old release does not notice it."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.add_column("item", sa.Column("qty_big", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    op.drop_column("item", "qty_big")
