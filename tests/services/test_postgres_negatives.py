"""Negative cases for the PostgreSQL checks: a contract the server does not meet, a server whose image
lacks pgvector, a role that may not install it, a database without the extensions."""

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from infra.catalog.snapshot import libpq_url
from infra.findings import only
from infra.probes.postgres import (
    REQUIRED_EXTENSIONS,
    extension_findings,
    extension_states,
    smoke_findings,
    version_findings,
)
from infra.stack.databases import scratch_database, with_database

pytestmark = [pytest.mark.infra, pytest.mark.services]


@pytest.mark.negative(version_findings.check)
def test_major_version_other_than_the_contract_fails(live_stack):
    findings = version_findings(live_stack.endpoints.postgres_dsn(), 99, "service postgres")
    assert [f.check_id for f in findings] == [version_findings.id]
    assert findings[0].expected == "PostgreSQL 99.x (the stack contract)"
    assert findings[0].found.startswith("PostgreSQL 1")


@pytest.mark.slow  # a fresh cluster: initdb takes 2-3 s on an idle machine, more on a loaded one
@pytest.mark.negative(extension_findings.check)
def test_image_without_pgvector_fails(broken_postgres):
    """The stack's own image with vector's control file removed: what plain postgres:16 looks like."""
    container, dsn = broken_postgres()
    removed = container.exec_run(
        ["find", "/usr", "/opt", "-name", "vector.control", "-delete", "-print"], user="0"
    )
    assert removed.exit_code == 0 and b"vector.control" in removed.output, removed.output
    states = extension_states(dsn, REQUIRED_EXTENSIONS)
    findings = only(extension_findings(states, "service postgres"), extension_findings.id)
    assert [f.expected for f in findings] == [
        "extension vector available and installed (or installable) in this database"
    ]
    assert findings[0].found.startswith("not in pg_available_extensions")
    assert [s.name for s in states if s.version] == ["pg_trgm"]


@pytest.mark.negative(extension_findings.check)
def test_role_that_cannot_install_vector_fails(live_stack):
    """pg_trgm is trusted (any database owner may create it); vector is not: a non-superuser role
    owning its database still cannot install it."""
    admin = live_stack.endpoints.postgres_dsn()
    role, password = "neg_no_superuser", "neg-role-password"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), sql.Literal(password))
        )
    try:
        with scratch_database(admin, "neg_role") as name:
            with psycopg.connect(with_database(admin, name), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                        sql.Identifier(name), sql.Identifier(role)
                    )
                )
            as_role = make_conninfo(with_database(admin, name), user=role, password=password)
            findings = extension_findings(extension_states(as_role), "service postgres")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
    assert [f.expected.split()[1] for f in findings] == ["vector"]
    assert "CREATE EXTENSION failed" in findings[0].found and "permission denied" in findings[0].found


@pytest.mark.negative(smoke_findings.check)
def test_database_without_the_extensions_fails(scratch_database_url):
    findings = only(smoke_findings(libpq_url(scratch_database_url), "service postgres"), smoke_findings.id)
    assert len(findings) == 4, findings
    assert all("does not exist" in f.found for f in findings), [f.found for f in findings]
