"""A unique index on item.code, which repeats."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """A unique index on item.code, which repeats."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.create_index("uq_item_code", "item", ["code"], unique=True)


def downgrade() -> None:
    """Undo it."""
    op.drop_index("uq_item_code", table_name="item")
