"""The pre-merge negative: an index without CONCURRENTLY on the populated item, a type change that
rewrites it, and a column dropped that the base release's models still write."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Three unsafe changes, each under a lock_timeout (so only they are reported)."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.create_index("ix_item_code", "item", ["code"])
    op.alter_column("item", "qty", type_=sa.BigInteger())
    op.drop_column("item", "note")


def downgrade() -> None:
    """Undo them."""
    op.add_column("item", sa.Column("note", sa.Text()))
    op.alter_column("item", "qty", type_=sa.Integer())
    op.drop_index("ix_item_code", table_name="item")
