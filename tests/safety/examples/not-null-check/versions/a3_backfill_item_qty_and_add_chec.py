"""Backfill item.qty and add CHECK (qty IS NOT NULL) NOT VALID."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Backfill item.qty and add CHECK (qty IS NOT NULL) NOT VALID."""
    op.execute("UPDATE item SET qty = 0 WHERE qty IS NULL")
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("ALTER TABLE item ADD CONSTRAINT ck_item_qty_not_null CHECK (qty IS NOT NULL) NOT VALID")


def downgrade() -> None:
    """Undo it."""
    op.drop_constraint("ck_item_qty_not_null", "item", type_="check")
