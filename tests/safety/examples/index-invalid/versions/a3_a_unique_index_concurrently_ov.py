"""A unique index CONCURRENTLY over duplicates, retried with IF NOT EXISTS: left invalid."""

import contextlib

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """A unique index CONCURRENTLY over duplicates, retried with IF NOT EXISTS: left invalid."""
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = '2s'")
        with contextlib.suppress(sa.exc.IntegrityError):  # a first deploy failed here; the retry keeps it
            op.execute("CREATE UNIQUE INDEX CONCURRENTLY ix_item_code ON item (code)")
        op.execute("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_item_code ON item (code)")


def downgrade() -> None:
    """Undo it."""
    op.execute("DROP INDEX IF EXISTS ix_item_code")
