"""org.seats becomes varchar: the same values, now text (`1` is stored as '1').

The clean counterpart of type-change-alters-values: a type change compared by JSON type would report
every row as changed (issue 18: integer -> varchar, `1` vs `"1"`).
"""

import sqlalchemy as sa
from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """Store the seat count as text, value for value."""
    op.alter_column("org", "seats", type_=sa.String(20), postgresql_using="seats::text")


def downgrade() -> None:
    """Back to integer, value for value."""
    op.alter_column("org", "seats", type_=sa.Integer(), postgresql_using="seats::integer")
