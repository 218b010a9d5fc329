"""An index on org.tenant: walked although u3 before it failed."""

from alembic import op

revision = "u4"
down_revision = "u3"


def upgrade() -> None:
    """Index the tenant."""
    op.create_index("ix_org_tenant", "org", ["tenant"])


def downgrade() -> None:
    """Remove exactly what upgrade added."""
    op.drop_index("ix_org_tenant", table_name="org")
