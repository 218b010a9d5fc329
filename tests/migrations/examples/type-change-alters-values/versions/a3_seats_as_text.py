"""org.seats becomes varchar, but the cast rewrites the values (x10): a real change across a type
change, which comparing by meaning must still report (the negative of type-change-kept)."""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Store the seat count as text, multiplied by ten (the defect)."""
    op.alter_column("org", "seats", type_=sa.String(20), postgresql_using="(seats * 10)::text")


def downgrade() -> None:
    """Back to integer, divided by ten: the round trip itself restores the values."""
    op.alter_column("org", "seats", type_=sa.Integer(), postgresql_using="(seats::integer / 10)")
