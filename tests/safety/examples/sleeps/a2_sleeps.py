"""A slow revision: the server can be restarted while it runs."""

from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Wait on the server (the test restarts it meanwhile)."""
    op.execute("SELECT pg_sleep(120)")


def downgrade() -> None:
    """Nothing to undo."""
