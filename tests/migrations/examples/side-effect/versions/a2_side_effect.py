"""A revision with module-level side effects: it counts its imports and attaches a CheckConstraint
to a table shared across imports (as revisions that import the application's models do)."""

import sys
import types

import sqlalchemy as sa
from alembic import op

revision = "a2"
down_revision = "a1"

state = sys.modules.setdefault(
    "orderflow_example_shared_models", types.ModuleType("orderflow_example_shared_models")
)
if not hasattr(state, "org"):
    state.imports = 0
    state.org = sa.Table("org", sa.MetaData(), sa.Column("note", sa.Text()))
state.imports += 1
state.org.append_constraint(sa.CheckConstraint("length(note) <= 200"))


def upgrade() -> None:
    """Add a nullable note."""
    op.add_column("org", sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop it."""
    op.drop_column("org", "note")
