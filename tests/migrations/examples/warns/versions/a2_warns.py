"""A revision that raises a DeprecationWarning at import and while upgrading: user code, whose
warnings the harness must never turn into errors."""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"

warnings.warn("a2: this helper is deprecated", DeprecationWarning, stacklevel=1)


def upgrade() -> None:
    """Add a nullable note, warning on the way."""
    warnings.warn("a2: upgrade() uses a deprecated helper", DeprecationWarning, stacklevel=1)
    op.add_column("org", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    op.drop_column("org", "note")
