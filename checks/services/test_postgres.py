"""PostgreSQL as the schema needs it: the contract's major version, pg_trgm and vector, working queries."""

import pytest

from infra.catalog.snapshot import libpq_url
from infra.findings import render_all
from infra.probes.postgres import (
    REQUIRED_EXTENSIONS,
    expected_major,
    extension_findings,
    extension_states,
    install_extensions,
    server_version,
    smoke_findings,
    version_findings,
)
from infra.stack.endpoints import published

pytestmark = [pytest.mark.infra, pytest.mark.services]


def _where(live_stack, database):
    host, port = published(live_stack.status, "postgres", 5432)
    return f"service postgres ({host}:{port}, database {database}, profile {live_stack.stack.profile})"


@pytest.mark.check(version_findings.check)
def test_major_version_is_the_stack_contract(live_stack, record_property):
    """16 on both profiles (the offline image is PostgreSQL 16.14 too: docs/engines.md)."""
    dsn = live_stack.endpoints.postgres_dsn()
    expected = expected_major(live_stack.stack.profile)
    _, banner = server_version(dsn)
    record_property("postgres_version", f"{banner} (contract: {expected})")
    findings = version_findings(dsn, expected, _where(live_stack, live_stack.stack.env["POSTGRES_DB"]))
    assert not findings, render_all(findings)


@pytest.mark.check(extension_findings.check)
def test_extensions_available_and_installable_in_postgres_db(live_stack, record_property):
    """In POSTGRES_DB itself: installed ones are reported with their version; missing ones are created
    in a transaction that is rolled back, so the migrations (revision 0001) still find the database
    as they would in production."""
    database = live_stack.stack.env["POSTGRES_DB"]
    states = extension_states(live_stack.endpoints.postgres_dsn(), REQUIRED_EXTENSIONS)
    record_property("extensions", "; ".join(s.render() for s in states))
    findings = extension_findings(states, _where(live_stack, database))
    assert not findings, render_all(findings)
    assert [s.name for s in states] == list(REQUIRED_EXTENSIONS)


@pytest.mark.check(smoke_findings.check)
def test_smoke_queries(live_stack, scratch_database_url):
    """similarity(), vector distances, HNSW build and use, on a scratch database with both extensions."""
    dsn = libpq_url(scratch_database_url)
    install_extensions(dsn)
    findings = smoke_findings(dsn, _where(live_stack, scratch_database_url.rsplit("/", 1)[1]))
    assert not findings, render_all(findings)
