"""SET NOT NULL: the valid check proves it, no scan."""

from alembic import op

revision = "a5"
down_revision = "a4"


def upgrade() -> None:
    """SET NOT NULL: the valid check proves it, no scan."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "qty", nullable=False)


def downgrade() -> None:
    """Undo it."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "qty", nullable=True)
