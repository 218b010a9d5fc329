"""Create org, the tenant anchor; enable pg_trgm and vector.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Extensions: upgrade creates pg_trgm and vector only if they are missing, and marks the ones it created
(`schema.ddl.EXTENSION_MARKER` in the extension's comment). Downgrade drops exactly those, without
CASCADE. So on an empty database the round trip leaves the catalog as it found it, while an
extension that was there before (installed by a DBA, used by another application) is never dropped;
and if something else has come to use an extension we created, the downgrade fails instead of
destroying that object.

This revision is history: the slug rule is written out here, not imported, so a later change to
`schema.slug` cannot rewrite it (the drift check compares it with the model). `schema.ddl`'s
renderers are imported on the promise that their output never changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from schema import ddl

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXTENSIONS = ("pg_trgm", "vector")
SLUG_CHECK = "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) BETWEEN 3 AND 63"


def upgrade() -> None:
    """Extensions, the org table with its checks, the trigram index on name, the updated_at trigger."""
    for name in EXTENSIONS:
        op.execute(ddl.create_extension(name))
    op.create_table(
        "org",
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("slug", sa.Text(), nullable=False),
        sa.Column("settings", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(SLUG_CHECK, name=op.f("ck_org_slug_format")),
        sa.CheckConstraint("jsonb_typeof(settings) = 'object'", name=op.f("ck_org_settings_is_object")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org")),
        sa.UniqueConstraint("slug", name=op.f("uq_org_slug")),
    )
    op.create_index(
        op.f("ix_org_name"), "org", ["name"], postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
    )
    op.execute(ddl.CREATE_SET_UPDATED_AT)
    op.execute(ddl.create_updated_at_trigger("org"))


def downgrade() -> None:
    """Remove exactly what upgrade() created, in reverse order (extensions only if it created them)."""
    op.execute(ddl.drop_updated_at_trigger("org"))
    op.execute(ddl.DROP_SET_UPDATED_AT)
    op.drop_index(op.f("ix_org_name"), table_name="org", postgresql_using="gin")
    op.drop_table("org")
    for name in reversed(EXTENSIONS):
        op.execute(ddl.drop_extension(name))
