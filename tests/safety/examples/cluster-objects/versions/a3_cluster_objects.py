"""Objects that outlive the database: a reporting role, its database, a server setting."""

from alembic import op

revision = "a3"
down_revision = "a2"


def upgrade() -> None:
    """A login role (its password in the SQL), a database for it, and a server-wide work_mem."""
    op.execute("CREATE ROLE orderflow_fault_reader LOGIN PASSWORD 'role-secret-4711'")
    with op.get_context().autocommit_block():
        op.execute("CREATE DATABASE orderflow_fault_reports")
        op.execute("ALTER SYSTEM SET work_mem = '7MB'")


def downgrade() -> None:
    """Remove them again."""
    with op.get_context().autocommit_block():
        op.execute("ALTER SYSTEM RESET work_mem")
        op.execute("DROP DATABASE orderflow_fault_reports")
    op.execute("DROP ROLE orderflow_fault_reader")
