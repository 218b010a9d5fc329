"""Fault tests, runs: signals, concurrent `up`, prune during a live run, stacks left without state
(issue 9, cases 4, 6 and 7). Real CLI, real containers, a one-service stack so each takes seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from infra.stack import state
from infra.stack.isolation import free_port
from tests.stack.checkout import REPO, SCENARIOS, Checkout, leftovers, make_checkout, wait_for_line

pytestmark = [pytest.mark.infra, pytest.mark.slow]
UP = ("--profile", "upstream")


@pytest.fixture
def stuck(tmp_path, checkouts, images) -> Checkout:
    """A checkout whose one service never becomes healthy within a test (60 s start period)."""
    c = make_checkout(
        tmp_path / "stuck",
        "never-healthy",
        {"SCENARIO_IMAGE": images["redis"], "STUCK_PORT": "1", "STUCK_START_PERIOD": "60s"},
    )
    checkouts.append(c)
    return c


@pytest.fixture
def healthy(tmp_path, checkouts, images) -> Checkout:
    c = make_checkout(tmp_path / "healthy", "healthy", {"SCENARIO_IMAGE": images["redis"], "OK_PORT": "1"})
    checkouts.append(c)
    return c


def running(project: str) -> bool:
    return any(x.startswith("container ") for x in leftovers(project))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("phase", ["compose-up", "waiting-for-health"])
def test_signal_ends_up_and_leaves_nothing(stuck, sig, phase):
    """Case 4/7: a signal to the `up` process alone (IDE, `timeout -s INT`, CI cancel), at each phase,
    ends it (exit 130) with one line saying what was left; nothing is left, not even state. How fast
    is not asserted (a loaded machine stretches `compose down`); the bound below only catches a hang."""
    project = stuck.project()
    proc = stuck.popen("up", "--isolated", "--project", project, *UP)
    seen: list[str] = []
    wait_for_line(seen, proc, "starting", deadline_s=30)
    if phase == "waiting-for-health":
        end = time.monotonic() + 120
        while not running(project) and time.monotonic() < end:
            time.sleep(0.1)
        assert running(project), "the stuck container never appeared"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=180)  # a hang guard, not a speed goal
    assert proc.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: interrupted: removed"), seen + err.splitlines()
    assert leftovers(project) == []
    assert stuck.state(project) is None


def test_concurrent_up_of_one_project_serialises(healthy):
    """Case 6: two `up --isolated --project P` at once: the second waits for the first, then finds
    the stack healthy with the saved credentials; neither destroys the other."""
    project = healthy.project()
    procs = [healthy.popen("up", "--isolated", "--project", project, *UP) for _ in range(2)]
    results = [p.communicate(timeout=90) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1] for r in results]
    assert len([x for x in leftovers(project) if x.startswith("container ")]) == 1
    status = healthy.run("status", "--project", project)
    assert status.returncode == 0 and "healthy" in status.stdout


def test_prune_spares_live_runs_and_other_checkouts(tmp_path, healthy, checkouts, images):
    """Case 6/7: prune (run at the start of every CI job) keeps a stack whose run is alive and a stack
    of another checkout; it removes a stack whose run died, and state whose stack is gone."""
    live, dead, orphan = healthy.project(), healthy.project(), healthy.project()
    other = make_checkout(tmp_path / "other", "healthy", {"SCENARIO_IMAGE": images["redis"], "OK_PORT": "1"})
    checkouts.append(other)
    foreign = other.project()
    for checkout, project in ((healthy, live), (healthy, dead), (other, foreign)):
        assert checkout.run("up", "--isolated", "--project", project, *UP).returncode == 0
    state_dir = healthy.root / ".orderflow"
    holder = subprocess.Popen(["sleep", "60"])  # stands for a pytest session still running
    try:
        saved = state.load(state_dir, live)
        assert saved is not None
        lease = state.Lease(holder.pid, state.process_start(holder.pid), "pytest session")
        state.save(state_dir, saved.with_(lease=lease))
        saved_dead = state.load(state_dir, dead)
        assert saved_dead is not None
        # a pid above pid_max: the run that held it was killed
        state.save(state_dir, saved_dead.with_(lease=state.Lease(2**22 + 7, "0", "pytest session")))
        state.save(state_dir, saved_dead.with_(project=orphan))  # state of a stack nobody has any more

        pruned = healthy.run("prune-test-stacks")
        assert pruned.returncode == 0, pruned.stderr
        assert f"{live}: in use by pytest session (pid {holder.pid})" in pruned.stdout
        assert f"{foreign}: belongs to the checkout at {other.root}" in pruned.stdout
        assert dead in pruned.stdout.splitlines()[0]
        assert f"removed orphaned state: {orphan}" in pruned.stdout
        assert running(live) and running(foreign) and leftovers(dead) == []
        assert state.load(state_dir, orphan) is None and state.load(state_dir, dead) is None
    finally:
        holder.kill()
        holder.wait()
    again = healthy.run("prune-test-stacks")
    assert live in again.stdout.splitlines()[0] and leftovers(live) == []


def test_stack_left_without_state_is_removed_by_name(healthy):
    """Case 7: a stack killed before its state was written can still be seen and removed by name."""
    project = healthy.project()
    compose = ["docker", "compose", "-p", project, "-f", str(healthy.compose_file)]
    env = {**os.environ, "SCENARIO_IMAGE": healthy.env()["SCENARIO_IMAGE"], "OK_PORT": str(free_port())}
    subprocess.run([*compose, "up", "--detach", "--wait"], check=True, capture_output=True, env=env)
    status = healthy.run("status", "--project", project)
    assert "ok" in status.stdout, status.stderr
    down = healthy.run("down", "--project", project, "--volumes")
    assert down.returncode == 0, down.stderr
    assert leftovers(project) == []


def test_sigterm_to_pytest_removes_the_session_stack_and_its_state(healthy):
    """Case 7: SIGTERM to a pytest run (CI cancel) ends it like Ctrl-C: stack and state removed."""
    probe = healthy.root / "project"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERFLOW_", "PYTEST_"))}
    env["ORDERFLOW_LEAK_PROBE"] = str(probe)
    inner = SCENARIOS / "sigterm" / "long_run.py"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", str(inner),
         "--orderflow-compose-file", str(healthy.compose_file)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        end = time.monotonic() + 120
        while not probe.exists() and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.1)
        assert probe.exists(), "the inner session never started its stack"
        project = probe.read_text()
        assert running(project)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert leftovers(project) == [], out[-2000:]
    assert list((healthy.root / ".orderflow" / "stacks").iterdir()) == []
