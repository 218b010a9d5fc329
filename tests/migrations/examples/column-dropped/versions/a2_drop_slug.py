"""Drop org.slug: its values are gone with the column, so no downgrade can bring them back.

The downgrade re-creates the column (NOT NULL, unique, as before) from the id: the catalog round-trips,
the old values cannot (kind column-dropped, inherent in the revision: info).
"""

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Drop the slug and its unique constraint."""
    op.drop_constraint("uq_org_slug", "org", type_="unique")
    op.drop_column("org", "slug")


def downgrade() -> None:
    """Re-create the slug from the id (the old slugs are lost)."""
    op.add_column("org", sa.Column("slug", sa.Text(), nullable=True))
    op.execute("UPDATE org SET slug = id::text")
    op.alter_column("org", "slug", nullable=False)
    op.create_unique_constraint("uq_org_slug", "org", ["slug"])
