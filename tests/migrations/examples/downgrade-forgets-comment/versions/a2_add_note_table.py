"""Add a note table; on the way, describe org.name (a table this revision does not otherwise touch)."""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """A new table, and a comment on a column of org."""
    op.create_table("note", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("body", sa.Text()))
    op.execute("COMMENT ON COLUMN org.name IS 'shown to customers'")


def downgrade() -> None:
    """Drops the table and forgets the comment: only one object of one other table differs."""
    op.drop_table("note")
