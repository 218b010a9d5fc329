"""Validate the check (SHARE UPDATE EXCLUSIVE: reads and writes go on)."""

from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Validate the check (SHARE UPDATE EXCLUSIVE: reads and writes go on)."""
    op.execute("ALTER TABLE item VALIDATE CONSTRAINT ck_item_qty_not_null")


def downgrade() -> None:
    """Undo it."""
    pass
