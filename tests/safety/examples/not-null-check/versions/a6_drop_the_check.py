"""Drop the check, now redundant."""

from alembic import op

revision = "a6"
down_revision = "a5"


def upgrade() -> None:
    """Drop the check, now redundant."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.drop_constraint("ck_item_qty_not_null", "item", type_="check")


def downgrade() -> None:
    """Undo it."""
    op.execute("ALTER TABLE item ADD CONSTRAINT ck_item_qty_not_null CHECK (qty IS NOT NULL)")
