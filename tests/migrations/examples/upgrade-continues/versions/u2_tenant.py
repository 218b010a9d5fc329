"""Add org.tenant; remember the tenant for the rest of the command (a transaction-local setting)."""

import sqlalchemy as sa
from alembic import op

revision = "u2"
down_revision = "a1"


def upgrade() -> None:
    """The column, and app.tenant for the revisions that follow in the same command."""
    op.add_column("org", sa.Column("tenant", sa.Text(), nullable=True))
    op.execute("SELECT set_config('app.tenant', 'main', true)")


def downgrade() -> None:
    """Remove the column."""
    op.drop_column("org", "tenant")
