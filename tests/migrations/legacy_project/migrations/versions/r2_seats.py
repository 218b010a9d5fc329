"""Add org.seats, backfilled with SQLAlchemy 1.4's select([...]) (an error under SQLAlchemy 2)."""

import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.add_column("org", sa.Column("seats", sa.Integer, nullable=True))
    org = sa.table("org", sa.column("id", sa.Integer), sa.column("seats", sa.Integer))
    bind = op.get_bind()
    for (org_id,) in bind.execute(sa.select([org.c.id])).fetchall():
        bind.execute(org.update().where(org.c.id == org_id).values(seats=1))


def downgrade():
    op.drop_column("org", "seats")
