"""A branch head."""

revision = "c3"
down_revision = "a2"


def upgrade() -> None:
    """Nothing."""


def downgrade() -> None:
    """Nothing."""
