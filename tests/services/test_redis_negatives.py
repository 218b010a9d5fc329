"""Negative cases for the Redis checks: a redis-server from the stack's image without a password, or
persisting differently than the compose file declares; the stack's Redis with a wrong password."""

import pytest

from infra.probes.redis import (
    auth_required_findings,
    declared_command,
    declared_settings,
    persistence_findings,
    ping_findings,
    running_settings,
    server_arguments,
)

pytestmark = [pytest.mark.services]

COMPOSE_COMMAND = [
    "sh",
    "-c",
    'exec redis-server --requirepass "$REDIS_PASSWORD" --appendonly yes --appendfsync everysec '
    "--save 60 1000 --dir /data",
]


def test_declared_settings_from_a_shell_wrapped_command():
    assert declared_settings(COMPOSE_COMMAND) == {
        "requirepass": "$REDIS_PASSWORD",
        "appendonly": "yes",
        "appendfsync": "everysec",
        "save": "60 1000",
        "dir": "/data",
    }
    plain = ["redis-server", "/etc/redis.conf", "--save", "60", "1000", "--save", "300", "10", "--save", ""]
    assert declared_settings(plain) == {"save": "60 1000 300 10 "}
    with pytest.raises(ValueError, match="does not start redis-server"):
        server_arguments(["valkey-server", "--port", "6379"])


@pytest.mark.negative(persistence_findings.check)
def test_command_without_persistence_fails():
    findings = persistence_findings(
        declared_settings(["redis-server", "--port", "6379"]), {}, "service redis"
    )
    assert [f.found for f in findings] == ["none declared: Redis defaults apply (no AOF)"]


@pytest.mark.infra
@pytest.mark.negative(persistence_findings.check)
def test_server_persisting_otherwise_than_declared_fails(live_stack, broken_redis):
    """Declared: the live stack's compose command. Running: a server without AOF or snapshots."""
    declared = declared_settings(declared_command(live_stack.stack, "redis"))
    password = "neg-case-password"
    host, port = broken_redis(
        "--requirepass",
        password,
        "--appendonly",
        "no",
        "--appendfsync",
        "always",
        "--save",
        "",
        "--dir",
        "/tmp",
        password=password,
    )
    findings = persistence_findings(declared, running_settings(host, port, password), "service redis")
    assert {f.expected.split()[0] for f in findings} == {"appendonly", "appendfsync", "save", "dir"}
    assert "appendonly 'no' on the running server" in [f.found for f in findings]


@pytest.mark.infra
@pytest.mark.negative(auth_required_findings.check)
def test_server_without_password_fails(broken_redis):
    host, port = broken_redis("--protected-mode", "no")
    findings = auth_required_findings(host, port, "service redis")
    assert [f.found for f in findings] == ["PING answered PONG without a password"]


@pytest.mark.infra
@pytest.mark.negative(ping_findings.check)
def test_wrong_password_fails(live_stack):
    host, port, _ = live_stack.endpoints.redis()
    findings = ping_findings(host, port, "not-the-password", "service redis")
    assert [f.check_id for f in findings] == [ping_findings.id]
    assert "AuthenticationError" in findings[0].found


@pytest.mark.infra
@pytest.mark.negative(ping_findings.check)
def test_server_that_does_not_answer_fails(start_container):
    """A container from the redis image that runs no server: the port is published, nothing answers."""
    _, port = start_container("redis", 6379, entrypoint=["sleep"], command=["300"])
    findings = ping_findings("127.0.0.1", port, "any", "service redis")
    assert [f.check_id for f in findings] == [ping_findings.id]
    assert "ConnectionError" in findings[0].found
