"""Validate it in a transaction of its own."""

from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Validate it in a transaction of its own."""
    op.execute("ALTER TABLE item VALIDATE CONSTRAINT ck_item_qty_positive")


def downgrade() -> None:
    """Undo it."""
    pass  # a validated constraint is dropped by a3's downgrade
