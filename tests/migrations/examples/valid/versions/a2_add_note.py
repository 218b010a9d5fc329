"""Add org.note with a length check."""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Add a nullable note and a check on its length."""
    op.add_column("org", sa.Column("note", sa.Text(), nullable=True))
    op.create_check_constraint("ck_org_note_length", "org", "length(note) <= 200")
    op.create_index("ix_org_name", "org", ["name"])


def downgrade() -> None:
    """Remove exactly what upgrade added."""
    op.drop_index("ix_org_name", table_name="org")
    op.drop_constraint("ck_org_note_length", "org", type_="check")
    op.drop_column("org", "note")
