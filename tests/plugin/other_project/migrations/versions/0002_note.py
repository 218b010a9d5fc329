"""Add orders.note; the downgrade forgets it (planted: the stepwise round trip must find it).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("orders", sa.Column("note", sa.Text, nullable=True))


def downgrade() -> None:
    pass
