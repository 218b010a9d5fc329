"""Add org.email; its downgrade does nothing, and pyproject.toml beside this tree declares that."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Add a nullable email."""
    op.add_column("org", sa.Column("email", sa.Text(), nullable=True))


def downgrade() -> None:
    """Unsupported by the project's policy (declared in pyproject.toml)."""
