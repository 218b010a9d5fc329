"""Create org, the tenant anchor, and enable pg_trgm and vector.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Extensions belong to this revision: downgrade to base drops them, without CASCADE, so on a database
where anything else uses them the downgrade refuses instead of destroying that object. (Downgrading the
first revision means "remove the schema"; leaving extensions behind would make the catalog differ
from the one before the upgrade, and the round-trip check compares exactly that.)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from schema.slug import SLUG_CHECK_SQL
from schema.triggers import SET_UPDATED_AT_FUNCTION, updated_at_trigger

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Extensions, the org table with its checks, the trigram index, and the updated_at trigger."""
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "org",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("settings", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(SLUG_CHECK_SQL, name=op.f("ck_org_slug_format")),
        sa.CheckConstraint("jsonb_typeof(settings) = 'object'", name=op.f("ck_org_settings_is_object")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org")),
        sa.UniqueConstraint("slug", name=op.f("uq_org_slug")),
    )
    op.create_index(
        op.f("ix_org_name"), "org", ["name"], postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
    )
    op.execute(SET_UPDATED_AT_FUNCTION)
    op.execute(updated_at_trigger("org"))


def downgrade() -> None:
    """Remove exactly what upgrade() created, in reverse order."""
    op.execute("DROP TRIGGER trg_org_set_updated_at ON org")
    op.execute("DROP FUNCTION set_updated_at()")
    op.drop_index(op.f("ix_org_name"), table_name="org", postgresql_using="gin")
    op.drop_table("org")
    op.execute("DROP EXTENSION vector")
    op.execute("DROP EXTENSION pg_trgm")
