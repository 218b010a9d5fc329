"""Join the two histories into one head."""

revision = "m3"
down_revision = ("a1", "y2")


def upgrade() -> None:
    """Nothing: a merge point."""


def downgrade() -> None:
    """Nothing: a merge point."""
