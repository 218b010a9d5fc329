"""Widen the indexed item.label from varchar(50) to varchar(60): binary compatible.

PostgreSQL re-creates ix_item_label under a new OID but keeps its storage (same relfilenode) and does
not rewrite the table: no rewrite (issue 18: a false rewrite-under-lock on ALTER COLUMN ... TYPE
VARCHAR(60) from varchar(40)). The negative counterpart is type-rewrite.
"""

import sqlalchemy as sa
from alembic import op

revision = "a4"
down_revision = "a3"


def upgrade() -> None:
    """Widen item.label to varchar(60)."""
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.alter_column("item", "label", type_=sa.String(60))


def downgrade() -> None:
    """Undo it."""
    op.alter_column("item", "label", type_=sa.String(50))
