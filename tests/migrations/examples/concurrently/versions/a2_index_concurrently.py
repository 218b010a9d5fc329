"""Index org.name without blocking writes: CREATE INDEX CONCURRENTLY cannot run in a transaction."""

from alembic import op

revision = "a2"
down_revision = "a1"


def upgrade() -> None:
    """Build the index concurrently, outside the migration's transaction."""
    with op.get_context().autocommit_block():
        op.create_index("ix_org_name", "org", ["name"], postgresql_concurrently=True)


def downgrade() -> None:
    """Drop it concurrently too."""
    with op.get_context().autocommit_block():
        op.drop_index("ix_org_name", "org", postgresql_concurrently=True)
