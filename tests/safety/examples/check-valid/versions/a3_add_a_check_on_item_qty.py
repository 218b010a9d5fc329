"""Add a CHECK on item.qty, validated at once."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add a CHECK on item.qty, validated at once."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.create_check_constraint("ck_item_qty_positive", "item", "qty >= 0")


def downgrade() -> None:
    """Undo it."""
    op.drop_constraint("ck_item_qty_positive", "item", type_="check")
