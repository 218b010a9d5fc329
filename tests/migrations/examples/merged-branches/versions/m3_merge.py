"""Merge the two feature branches, with a change that needs both."""

from alembic import op

revision = "m3"
down_revision = ("b2", "c2")


def upgrade() -> None:
    """An index over the member table, created once both branches are in."""
    op.create_index("ix_member_email", "member", ["email"])


def downgrade() -> None:
    """Remove exactly what upgrade added."""
    op.drop_index("ix_member_email", table_name="member")
