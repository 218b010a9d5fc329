"""Protocol probes of Redis: the password is required, it works, and persistence runs as declared.

The declared persistence settings are parsed (pure) from the service's `command:` in the compose
file, and compared with what the running server answers to CONFIG GET: file against process.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from infra.errors import describe
from infra.findings import Check, Finding, produces
from infra.stack.lifecycle import Stack

# Settings that decide whether data survives a restart, and where it goes.
PERSISTENCE_KEYS = ("appendonly", "appendfsync", "save", "dir")
_SHELLS = frozenset({"sh", "bash", "dash", "ash"})


def client(host: str, port: int, password: str | None = None) -> redis.Redis:
    """A client that fails fast: no retries (a refusal must surface, not be retried away), and RESP2,
    so connecting sends nothing before the probe's own command (RESP3 opens with HELLO)."""
    return redis.Redis(
        host=host,
        port=port,
        password=password,
        socket_timeout=5,
        socket_connect_timeout=5,
        retry=Retry(NoBackoff(), 0),
        decode_responses=True,
        protocol=2,
    )


def _pong(answer: object) -> str | None:
    """The string "PONG" when redis-py's PING result means PONG (True or the string, by protocol)."""
    return "PONG" if answer is True or answer in ("PONG", b"PONG") else None


@produces("services.redis-auth-required")
def auth_required_findings(check: Check, host: str, port: int, where: str) -> list[Finding]:
    """A command without AUTH is refused with NOAUTH.

    Why: an unauthenticated Redis on a developer's machine (or a CI runner) is readable and
    writable by anything that can reach the port — and `CONFIG SET dir` makes that a file write.
    """
    conn = client(host, port)
    try:
        found = f"PING answered {_pong(conn.ping()) or 'something'} without a password"
    except redis.AuthenticationError:
        return []  # redis-py raises it for a NOAUTH reply (and WRONGPASS, impossible without a password)
    except redis.RedisError as exc:
        found = f"no answer: {describe(exc)}"
    finally:
        conn.close()
    return [
        Finding(
            check.id,
            where,
            "an unauthenticated PING refused with NOAUTH",
            found,
            "start redis-server with --requirepass (from the environment, never a literal)",
        )
    ]


@produces("services.redis-ping")
def ping_findings(check: Check, host: str, port: int, password: str, where: str) -> list[Finding]:
    """With the stack's password, PING answers PONG.

    Why: the password the application is configured with must be the one the server requires;
    a mismatch (a stale volume with an old ACL file, a rotated secret) fails every request.
    """
    conn = client(host, port, password)
    try:
        answer = conn.ping()
        if _pong(answer):
            return []
        found = f"PING answered {answer!r}, not PONG"
    except redis.RedisError as exc:
        found = describe(exc)
    finally:
        conn.close()
    return [
        Finding(
            check.id,
            where,
            "an authenticated PING answered PONG",
            found,
            "check REDIS_PASSWORD in the env file against the server's --requirepass",
        )
    ]


# --- persistence: declared (compose command) against running (CONFIG GET) ---------------------


def server_arguments(command: Sequence[str]) -> list[str]:
    """The arguments after `redis-server` in a compose `command:`, also inside `sh -c "exec ..."`.

    Raises ValueError naming the command when it does not start redis-server.
    """
    words = list(command)
    if len(words) >= 3 and PurePosixPath(words[0]).name in _SHELLS and words[1] == "-c":
        words = shlex.split(words[2])
    for index, word in enumerate(words):
        if PurePosixPath(word).name == "redis-server":
            return words[index + 1 :]
    raise ValueError(f"command {list(command)!r} does not start redis-server")


def declared_settings(command: Sequence[str]) -> dict[str, str]:
    """`--key value...` options of a redis-server command line, as Redis would read them.

    A repeated option adds to the value (`--save 60 1000 --save 300 10` is "60 1000 300 10"),
    a leading config-file path is skipped. Keys are lowercased, as CONFIG GET reports them.
    """
    settings: dict[str, list[str]] = {}
    key: str | None = None
    for word in server_arguments(command):
        if word.startswith("--"):
            key = word[2:].lower()
            settings.setdefault(key, [])
        elif key is not None:
            settings[key].append(word)
    return {k: " ".join(v) for k, v in settings.items()}


def _normalized(key: str, value: str) -> str:
    text = " ".join(value.split())
    return text.lower() if key in ("appendonly", "appendfsync") else text


@produces("services.redis-persistence")
def persistence_findings(
    check: Check, declared: Mapping[str, str], running: Mapping[str, str], where: str
) -> list[Finding]:
    """Every persistence setting the compose command declares is what the server runs with.

    Why: the compose file is what the team reads and reviews; if the server runs with other
    settings (a config file that wins, an image whose entry point rewrites the command, a typo
    Redis ignores) data that everyone believes is persisted is lost on the next restart.
    """
    check_id = check.id
    wanted = {k: v for k, v in declared.items() if k in PERSISTENCE_KEYS}
    if not wanted:
        return [
            Finding(
                check_id,
                where,
                f"the compose command declares persistence ({', '.join(PERSISTENCE_KEYS[:3])})",
                "none declared: Redis defaults apply (no AOF)",
                "add e.g. --appendonly yes --appendfsync everysec to the command",
            )
        ]
    return [
        Finding(
            check_id,
            where,
            f"{key} {_normalized(key, value)!r} (as declared in the compose command)",
            f"{key} {_normalized(key, running[key])!r} on the running server"
            if key in running
            else f"{key} not reported by CONFIG GET",
        )
        for key, value in sorted(wanted.items())
        if key not in running or _normalized(key, running[key]) != _normalized(key, value)
    ]


def running_settings(
    host: str, port: int, password: str, keys: Sequence[str] = PERSISTENCE_KEYS
) -> dict[str, str]:
    """CONFIG GET for each key, from the running server."""
    conn = client(host, port, password)
    try:
        found: dict[str, str] = {}
        for key in keys:
            found.update({str(k): str(v) for k, v in conn.config_get(key).items()})
        return found
    finally:
        conn.close()


def declared_command(stack: Stack, service: str) -> list[str]:
    """The service's `command:` as the compose files declare it (after merging and interpolation)."""
    return list(stack.model.service(service).command or ())
