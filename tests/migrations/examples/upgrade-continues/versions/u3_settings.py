"""A settings table filled from app.tenant: works only in the same command as u2 (a real upgrade bug)."""

import sqlalchemy as sa
from alembic import op

revision = "u3"
down_revision = "u2"


def upgrade() -> None:
    """Fails when run as its own command: app.tenant is not set there, and `tenant` is NOT NULL."""
    op.create_table("settings", sa.Column("tenant", sa.Text(), nullable=False))
    op.execute("INSERT INTO settings (tenant) VALUES (nullif(current_setting('app.tenant', true), ''))")


def downgrade() -> None:
    """Drop it."""
    op.drop_table("settings")
