"""Create doc, whose only column is a required tsvector."""

from alembic import op

revision = "u1"
down_revision = None


def upgrade() -> None:
    """A table with a column type the seeder has no generator for."""
    op.execute("CREATE TABLE doc (body tsvector NOT NULL)")


def downgrade() -> None:
    """Drop it."""
    op.drop_table("doc")
