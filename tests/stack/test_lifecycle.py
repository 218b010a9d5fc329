"""The stack lifecycle's failure modes: each gives one clear line and leaves nothing behind."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from infra.compose.model import ComposeFiles
from infra.errors import HarnessError
from infra.stack.isolation import free_port, isolated_project_name
from infra.stack.lifecycle import PROJECT_LABEL, Stack

pytestmark = [pytest.mark.infra, pytest.mark.slow]
SCENARIO = Path(__file__).parent / "scenarios" / "never-healthy" / "docker-compose.yml"


def leftovers(project: str) -> list[str]:
    """Containers, volumes and networks Docker still has for a project."""
    found = []
    for kind in ("container", "volume", "network"):
        cmd = ["docker", kind, "ls", "-q", "--filter", f"label={PROJECT_LABEL}={project}"]
        if kind == "container":
            cmd.insert(3, "-a")
        found += [
            f"{kind} {x}"
            for x in subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
        ]
    return found


@pytest.fixture
def scenario_env(live_stack) -> dict[str, str]:
    return {"SCENARIO_IMAGE": live_stack.stack.model.services["redis"].image, "STUCK_PORT": str(free_port())}


def test_unhealthy_start_fails_with_diagnostics_and_cleans_up(scenario_env):
    stack = Stack(ComposeFiles((SCENARIO,)), scenario_env, isolated_project_name())
    with pytest.raises(HarnessError) as caught, stack:
        pytest.fail("the context manager must not enter a stack that never became healthy")
    text = str(caught.value)
    assert "service stuck" in text
    assert "unhealthy" in text
    assert "probe-was-run" in text, "the health-check log must be in the diagnostics"
    assert leftovers(stack.project) == []


def test_deadline_says_what_was_tried(scenario_env):
    env = {**scenario_env, "STUCK_START_PERIOD": "60s"}  # failures inside start_period do not count
    stack = Stack(ComposeFiles((SCENARIO,)), env, isolated_project_name())
    with pytest.raises(HarnessError) as caught:
        stack.up(deadline_s=2)
    text = str(caught.value)
    assert text.startswith(f"waited 2s for stuck of {stack.project} to become healthy on Docker events")
    assert "last event" in text
    assert "Hint:" in text
    assert leftovers(stack.project) == []


def test_taken_port_is_named_and_nothing_starts(scenario_env):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(scenario_env["STUCK_PORT"])))
        holder.listen()
        stack = Stack(ComposeFiles((SCENARIO,)), scenario_env, isolated_project_name())
        with pytest.raises(HarnessError) as caught:
            stack.up(deadline_s=10)
    port = scenario_env["STUCK_PORT"]
    assert str(caught.value).startswith(f"host port {port} (STUCK_PORT) on 127.0.0.1 is already in use")
    assert leftovers(stack.project) == []


def test_missing_variable_is_named(scenario_env):
    env = {k: v for k, v in scenario_env.items() if k != "STUCK_PORT"}
    stack = Stack(ComposeFiles((SCENARIO,)), env, isolated_project_name())
    with pytest.raises(HarnessError, match=r"^variable STUCK_PORT is missing"):
        stack.up(deadline_s=10)
    assert leftovers(stack.project) == []


def test_malformed_compose_file_is_named(tmp_path, scenario_env):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("name: broken\nservices:\n  a: [\n")
    stack = Stack(ComposeFiles((broken,)), scenario_env, isolated_project_name())
    # read by the harness's bounded reader before Compose: the same line `lint` gives
    with pytest.raises(HarnessError, match=rf"^{broken}:4: not valid YAML"):
        stack.up(deadline_s=10)


def test_rerun_on_a_healthy_stack_returns_at_once(scenario_env):
    """`up` on a stack that is already healthy must not wait for events that will never come."""
    env = {"SCENARIO_IMAGE": scenario_env["SCENARIO_IMAGE"], "OK_PORT": str(free_port())}
    files = ComposeFiles((SCENARIO.parent.parent / "healthy" / "docker-compose.yml",))
    with Stack(files, env, isolated_project_name()) as first:
        again = Stack(files, env, first.project)
        status = again.up(deadline_s=120)  # returns at once: healthy_after_s 0.0 says no event was awaited
        assert status.all_healthy
        assert [s.healthy_after_s for s in status.services.values()] == [0.0]
    assert leftovers(first.project) == []
