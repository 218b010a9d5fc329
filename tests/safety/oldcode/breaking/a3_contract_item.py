"""Contract item while the old release still runs: drop note, add kind NOT NULL, narrow label."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Three changes the base release's code cannot survive."""
    op.drop_column("item", "note")
    op.add_column("item", sa.Column("kind", sa.Text(), nullable=False, server_default="plain"))
    op.alter_column("item", "kind", server_default=None)
    op.alter_column("item", "label", type_=sa.String(10), postgresql_using="left(label, 10)")


def downgrade() -> None:
    """Undo them."""
    op.alter_column("item", "label", type_=sa.String(50))
    op.drop_column("item", "kind")
    op.add_column("item", sa.Column("note", sa.Text()))
