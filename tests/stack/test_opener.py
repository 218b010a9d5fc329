"""The stack opener, saved state, budgets and the events child: pure parts and bounded closes."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from infra.config import MIGRATION_BUDGET_S, STARTUP_BUDGET_S, Budgets
from infra.errors import HarnessError
from infra.masking import SecretEnv
from infra.probes.stack import startup_findings
from infra.stack import state
from infra.stack.events import DockerEvents
from infra.stack.opener import declared_images
from infra.stack.ownership import live_lease, other_checkout
from tests.stack.checkout import Checkout, make_checkout


def test_budgets_are_defined_once_and_can_be_changed():
    assert (
        Budgets.resolve(environ={}) == Budgets(STARTUP_BUDGET_S, MIGRATION_BUDGET_S) == Budgets(120.0, 10.0)
    )
    env = {"ORDERFLOW_STARTUP_BUDGET_S": "30", "ORDERFLOW_MIGRATION_BUDGET_S": "2.5"}
    assert Budgets.resolve(environ=env) == Budgets(30.0, 2.5)
    assert Budgets.resolve(startup_s=5, environ=env).startup_s == 5.0  # the flag wins
    with pytest.raises(HarnessError, match=r"^ORDERFLOW_STARTUP_BUDGET_S='soon' is not a number of seconds"):
        Budgets.resolve(environ={"ORDERFLOW_STARTUP_BUDGET_S": "soon"})


def test_declared_images_substitute_variables():
    doc = {"services": {"db": {"image": "${IMG:?set it}"}, "cache": {"image": "redis:${TAG:-7}"}, "x": {}}}
    assert declared_images(doc, {"IMG": "pg:17", "TAG": "7.4"}) == {"db": "pg:17", "cache": "redis:7.4"}
    # As Compose resolves them: an unset variable takes its default; a refused one stays as written.
    assert declared_images(doc, {}) == {"db": "${IMG:?set it}", "cache": "redis:7"}


def test_state_round_trips_private_and_masked(tmp_path):
    saved = state.StackState(
        "p",
        "offline",
        "why",
        ("/a.yml",),
        "/checkout",
        SecretEnv({"POSTGRES_USER": "u", "POSTGRES_PASSWORD": "pw:1"}),
    )
    path = state.save(tmp_path, saved.with_(lease=state.Lease.mine("test")))
    assert path.stat().st_mode & 0o777 == 0o600
    assert state.passfile_path(tmp_path, "p").read_text() == "*:*:*:u:pw\\:1\n"
    loaded = state.load(tmp_path, "p")
    assert loaded is not None and loaded.env == saved.env and loaded.lease is not None
    assert "pw:1" not in repr(loaded)
    assert live_lease(loaded, me=-1) == f"test (pid {loaded.lease.pid})"
    assert live_lease(loaded, me=loaded.lease.pid) is None  # my own lease does not stop me
    path.write_text("{not json")
    with pytest.raises(HarnessError, match=r"stack state .* is unreadable"):
        state.load(tmp_path, "p")


def test_a_dead_or_reused_pid_holds_no_lease():
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert not state.Lease(proc.pid, "1", "gone").alive()
    assert not state.Lease(1, "not-its-start-time", "reused pid").alive()


def test_other_checkout(tmp_path):
    assert other_checkout(None, tmp_path) is None
    assert other_checkout(str(tmp_path), tmp_path) is None
    assert other_checkout("/elsewhere", tmp_path) == "/elsewhere"


@pytest.mark.infra
def test_events_child_closes_unread_and_is_reaped():
    """Nobody reads the stream (it would run for an hour); close still returns and reaps the child.
    The bound only catches a hang (the bug this guards against hung for 13 minutes), not a speed."""
    now = time.time()
    events = DockerEvents("orderflow-test-nothing", since=now, until=now + 3600)
    started = time.monotonic()
    events.close(grace_s=2)
    assert time.monotonic() - started < 120
    assert events._proc.returncode is not None


@pytest.mark.infra
@pytest.mark.negative(startup_findings.check)
@pytest.mark.budget
def test_up_report_judges_the_budget_with_the_checks_function(tmp_path, checkouts, images):
    """`up --startup-budget` changes the budget the report judges with (startup_findings)."""
    c: Checkout = make_checkout(
        tmp_path / "c", "healthy", {"SCENARIO_IMAGE": images["redis"], "OK_PORT": "1"}
    )
    checkouts.append(c)
    project = c.project()
    proc = c.run(
        "up",
        "--isolated",
        "--project",
        project,
        "--profile",
        "upstream",
        "--json",
        "--startup-budget",
        "0.001",
        "--timeout",
        "60",
    )
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    failed = [r for r in report["results"] if r["status"] == "failed"]
    assert [r["check_id"] for r in failed] == [startup_findings.id]
    assert failed[0]["where"] == f"service ok of {project}" and "within 0s" in failed[0]["message"]
