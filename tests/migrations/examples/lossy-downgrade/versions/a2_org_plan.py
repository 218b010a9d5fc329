"""Add org.plan; the downgrade folds the plan into the name and then loses the name's old value.

Deliberately lossy downgrade (declared `lossy = ["a2"]` in tests/migrations/test_data_kinds.py's
policy): it overwrites a column the upgraded schema still had (kind downgrade-loses-data).
"""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Add a nullable plan name."""
    op.add_column("org", sa.Column("plan", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the plan, and reset every name (the loss)."""
    op.execute("UPDATE org SET name = 'org ' || slug")
    op.drop_column("org", "plan")
