"""A deliberately broken stack, started for real, for the negative cases of the live checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.compose.model import ComposeFiles
from infra.stack.isolation import free_port, isolated_project_name
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.throwaway import wait_until

SCENARIOS = Path(__file__).parent / "scenarios"


def wait_for_state(stack: Stack, service: str, wanted: str, deadline_s: float = 30.0) -> StackStatus:
    """Poll the engine (infra's one polling loop) until `service` reports `wanted`."""

    def reached() -> StackStatus | None:
        status = stack.status()
        seen = status.services[service].state if service in status.services else "no container"
        if seen != wanted:
            raise AssertionError(f"{service} is {seen!r}")  # reported as the last thing seen
        return status

    return wait_until(
        reached, f"{service} of {stack.project} to be {wanted!r}", deadline_s=deadline_s, interval_s=0.2
    )


@pytest.fixture(scope="module")
def unhealthy_stack(live_stack) -> Iterator[Stack]:
    """One service, health check `exit 1`, published on 0.0.0.0; image borrowed from the live stack."""
    env = {"SCENARIO_IMAGE": live_stack.stack.model.services["redis"].image, "BROKEN_PORT": str(free_port())}
    stack = Stack(
        ComposeFiles((SCENARIOS / "unhealthy" / "docker-compose.yml",)),
        env,
        isolated_project_name("orderflow-test-neg"),
    )
    stack.compose("up", "--detach")
    try:
        wait_for_state(stack, "broken", "unhealthy")
        yield stack
    finally:
        stack.down(remove_volumes=True)
