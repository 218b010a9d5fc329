"""Take ACCESS EXCLUSIVE on item, then SHARE on it in the same transaction, with no lock_timeout.

The second lock cannot queue (the transaction already holds a stronger one): lock-timeout must be
reported once, on the first statement (issue 18: it was repeated for a lock already held).
"""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Two locks on item, the first one strongest (the defect: no lock_timeout)."""
    op.execute("LOCK TABLE item IN ACCESS EXCLUSIVE MODE")
    op.execute("LOCK TABLE item IN SHARE MODE")


def downgrade() -> None:
    """Nothing to undo."""
