"""A CHECK that the existing codes break."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """A CHECK that the existing codes break."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.create_check_constraint("ck_item_code_short", "item", "length(code) <= 3")


def downgrade() -> None:
    """Undo it."""
    op.drop_constraint("ck_item_code_short", "item", type_="check")
