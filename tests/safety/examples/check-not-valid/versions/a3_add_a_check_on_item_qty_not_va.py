"""Add a CHECK on item.qty NOT VALID."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add a CHECK on item.qty NOT VALID."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("ALTER TABLE item ADD CONSTRAINT ck_item_qty_positive CHECK (qty >= 0) NOT VALID")


def downgrade() -> None:
    """Undo it."""
    op.drop_constraint("ck_item_qty_positive", "item", type_="check")
