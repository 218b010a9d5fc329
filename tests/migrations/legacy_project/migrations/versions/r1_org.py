"""Create org."""

import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table(
        "org", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50), nullable=False)
    )


def downgrade():
    op.drop_table("org")
