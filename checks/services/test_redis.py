"""Redis: a password is required, the stack's password works, persistence runs as the file declares."""

import pytest

pytest.importorskip("redis", reason="the Redis checks need the [live] extra (redis)")

from infra.findings import render_all
from infra.probes.redis import (
    auth_required_findings,
    declared_command,
    declared_settings,
    persistence_findings,
    ping_findings,
    running_settings,
)

pytestmark = [pytest.mark.infra, pytest.mark.services]


@pytest.fixture
def redis_at(live_stack):
    host, port, password = live_stack.endpoints.redis()
    return host, port, password, f"service redis ({host}:{port}, profile {live_stack.stack.profile})"


@pytest.mark.check(auth_required_findings.check)
def test_unauthenticated_command_refused(redis_at):
    host, port, _, where = redis_at
    findings = auth_required_findings(host, port, where)
    assert not findings, render_all(findings)


@pytest.mark.check(ping_findings.check)
def test_authenticated_ping(redis_at):
    host, port, password, where = redis_at
    findings = ping_findings(host, port, password, where)
    assert not findings, render_all(findings)


@pytest.mark.check(persistence_findings.check)
def test_persistence_as_declared(live_stack, redis_at, record_property):
    """The compose file's `command:` against CONFIG GET on the running server."""
    host, port, password, where = redis_at
    declared = declared_settings(declared_command(live_stack.stack, "redis"))
    running = running_settings(host, port, password)
    record_property("redis_persistence", repr(running))
    findings = persistence_findings(declared, running, where)
    assert not findings, render_all(findings)
