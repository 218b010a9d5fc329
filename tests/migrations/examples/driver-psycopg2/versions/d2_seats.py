"""Add org.seats, filled with a string literal (as many psycopg2-era revisions do)."""

import sqlalchemy as sa
from alembic import op

revision = "d2"
down_revision = "a1"


def upgrade() -> None:
    """psycopg2 interpolates '0' and PostgreSQL casts it; psycopg 3 binds a typed varchar, refused."""
    op.add_column("org", sa.Column("seats", sa.Integer(), nullable=True))
    org = sa.table("org", sa.column("seats", sa.Integer()))
    op.execute(org.update().values(seats=sa.literal("0")))


def downgrade() -> None:
    """Remove exactly what upgrade added."""
    op.drop_column("org", "seats")
