"""A second base: the tag history, started apart from org's."""

import sqlalchemy as sa
from alembic import op

revision = "x1"
down_revision = None
branch_labels = ("tags",)


def upgrade() -> None:
    """Tags."""
    op.create_table("tag", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("label", sa.Text()))


def downgrade() -> None:
    """Drop them."""
    op.drop_table("tag")
