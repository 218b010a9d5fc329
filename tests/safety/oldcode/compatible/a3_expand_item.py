"""Expand item: a nullable column and a wider label, which the old release never notices."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add item.kind (nullable) and widen label."""
    op.add_column("item", sa.Column("kind", sa.Text(), nullable=True))
    op.alter_column("item", "label", type_=sa.String(100))


def downgrade() -> None:
    """Undo it."""
    op.alter_column("item", "label", type_=sa.String(50))
    op.drop_column("item", "kind")
