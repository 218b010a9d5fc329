"""Throwaway containers and the one polling loop: what negative cases use to break things for real.

A negative case starts a container from the stack's own image, configured wrong on purpose (no
password, running as root, listening elsewhere...), feeds it to the same probe a check uses, and
removes it whatever happened. Waiting for it polls with a deadline and says what it saw last.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import docker

from infra.errors import HarnessError, describe

T = TypeVar("T")
LABEL = "org.orderflow.throwaway"


def wait_until(
    attempt: Callable[[], T | None],
    what: str,
    *,
    deadline_s: float = 30.0,
    interval_s: float = 0.1,
    hint: str = "read the container's logs",
    give_up: Callable[[], str | None] | None = None,
) -> T:
    """Call `attempt` until it returns something other than None (exceptions count as not yet).

    Why: containers become ready at their own pace; fixed sleeps are either too short on a loaded
    machine or waste time on a fast one. On timeout the error says what was tried and what was last
    seen, then gives a hint. `give_up` (e.g. `exited(container)`) ends the wait early with its reason
    when waiting longer cannot help.
    """
    end = time.monotonic() + deadline_s
    last = "nothing yet"
    while True:
        reason = give_up() if give_up is not None else None
        if reason:
            raise HarnessError(f"stopped waiting for {what}: {reason}", hint)
        try:
            result = attempt()
        except Exception as exc:  # any failure means "not ready yet"; the last one is reported
            last = describe(exc, 200)
        else:
            if result is not None:
                return result
            last = "not ready"
        if time.monotonic() >= end:
            raise HarnessError(f"waited {deadline_s:.0f}s for {what}; last: {last}", hint)
        time.sleep(interval_s)


@contextmanager
def throwaway_container(
    image: str,
    *,
    command: Sequence[str] | None = None,
    entrypoint: Sequence[str] | None = None,
    user: str | None = None,
    environment: Mapping[str, str] | None = None,
    ports: Sequence[int] = (),
) -> Iterator[Any]:
    """A detached container (Docker SDK object) publishing `ports` on 127.0.0.1; removed on exit
    with its anonymous volumes, whatever happened.

    Why: a negative case must break a real server, not a mock, and must never leave it behind.
    """
    client = docker.from_env()
    container = None
    try:
        container = client.containers.run(
            image,
            command=list(command) if command is not None else None,
            entrypoint=list(entrypoint) if entrypoint is not None else None,
            user=user,
            environment=dict(environment or {}),
            ports={f"{p}/tcp": ("127.0.0.1", None) for p in ports},
            name=f"orderflow-neg-{secrets.token_hex(4)}",
            labels={LABEL: "1"},
            detach=True,
        )
        yield container
    finally:
        if container is not None:
            container.remove(force=True, v=True)
        client.close()


def exited(container: Any, log_lines: int = 5) -> str | None:
    """None while the container runs; else its state, exit code and last log lines."""
    container.reload()
    state = container.attrs["State"]
    if state.get("Running"):
        return None
    logs = container.logs(tail=log_lines).decode(errors="replace").strip().replace("\n", " | ")
    return f"container {container.name} is {state.get('Status')} (exit {state.get('ExitCode')}); logs: {logs}"


def host_port(container: Any, port: int) -> int:
    """The host port the engine bound on 127.0.0.1 for the container's `port`/tcp."""
    container.reload()
    bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp") or []
    if not bindings:
        why = exited(container) or "it runs, but the port is not published"
        raise HarnessError(f"container {container.name} publishes no host port for {port}/tcp: {why}")
    return int(bindings[0]["HostPort"])
