"""Tags belong to an org: needs the org history (depends_on), stays on the tags branch."""

import sqlalchemy as sa
from alembic import op

revision = "y2"
down_revision = "x1"
depends_on = "a1"


def upgrade() -> None:
    """tag.org_id referencing org."""
    op.add_column("tag", sa.Column("org_id", sa.Uuid(), nullable=True))
    op.create_foreign_key("fk_tag_org_id_org", "tag", "org", ["org_id"], ["id"])


def downgrade() -> None:
    """Remove exactly what upgrade added."""
    op.drop_constraint("fk_tag_org_id_org", "tag", type_="foreignkey")
    op.drop_column("tag", "org_id")
