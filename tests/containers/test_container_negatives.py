"""Negative cases for the container checks: a container from the stack's own redis image, started
wrong on purpose, fed to the same probes the checks use."""

import pytest

from infra.findings import only
from infra.probes.containers import (
    data_dir_findings,
    listening_verdict,
    main_process_findings,
    non_root_verdict,
    read_owners,
    read_processes,
    read_sockets,
)
from infra.probes.procfs import listeners, main_process
from infra.stack.throwaway import exited, wait_until

pytestmark = [pytest.mark.infra, pytest.mark.containers]

REDIS = ["redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no"]


def _running(container, target, name):
    """The processes, once the main process is `name` (the container may still be starting)."""

    def attempt():
        procs = read_processes(target)
        main = main_process(procs)
        return procs if main is not None and main.name == name else None

    what = f"{name} as the main process of {target.container}"
    return wait_until(attempt, what, deadline_s=120, give_up=lambda: exited(container))


def _listening(container, target, port):
    """The sockets, once something LISTENs on `port` inside the container."""

    def attempt():
        sockets = read_sockets(target)
        return sockets if listeners(sockets, port) else None

    what = f"a LISTEN socket on {port} in {target.container}"
    return wait_until(attempt, what, deadline_s=120, give_up=lambda: exited(container))


@pytest.mark.negative(main_process_findings.check)
def test_wrapper_shell_as_pid_one_fails(broken_container):
    """A shell that forks the server and stays PID 1 (SIGTERM would never reach redis-server)."""
    container, target = broken_container(
        "redis", entrypoint=["sh", "-c", " ".join(REDIS[:3]) + " & wait"], user="redis"
    )
    procs = _running(container, target, "sh")
    assert any(p.name == "redis-server" for p in procs.values()), procs
    findings = only(main_process_findings(target, procs), main_process_findings.id)
    assert len(findings) == 1
    assert findings[0].expected.startswith("main process 'redis-server'")
    assert "'sh'" in findings[0].found and "redis" in findings[0].where


@pytest.mark.negative(non_root_verdict.check)
def test_server_running_as_root_fails(broken_container):
    container, target = broken_container("redis", entrypoint=REDIS, user="0")
    verdict = non_root_verdict(target, _running(container, target, "redis-server"))
    assert not verdict.allowed
    assert [f.check_id for f in verdict.findings] == [non_root_verdict.id]
    assert "uids 0/0/0/0" in verdict.findings[0].found


@pytest.mark.negative(data_dir_findings.check)
def test_data_dir_owned_by_root_fails(broken_container):
    container, target = broken_container("redis", entrypoint=REDIS, user="redis")
    procs = _running(container, target, "redis-server")
    chown = container.exec_run(["chown", "root:root", "/data"], user="0")
    assert chown.exit_code == 0, chown.output
    findings = data_dir_findings(target, procs, read_owners(target, ["/data", "/no/such/dir"]))
    assert [f.found for f in findings] == ["owned by uid 0 (root)", "missing"]
    assert all(f.check_id == data_dir_findings.id for f in findings)


@pytest.mark.negative(listening_verdict.check)
def test_server_on_another_port_fails(broken_container):
    container, target = broken_container("redis", entrypoint=[*REDIS, "--port", "6380"], user="redis")
    verdict = listening_verdict(target, _listening(container, target, 6380), 6379)
    assert [f.check_id for f in verdict.findings] == [listening_verdict.id]
    assert "no LISTEN socket on port 6379" in verdict.findings[0].found
    assert ":6380 LISTEN" in verdict.findings[0].found


@pytest.mark.negative(listening_verdict.check)
def test_server_bound_to_loopback_inside_the_container_fails(broken_container):
    container, target = broken_container("redis", entrypoint=[*REDIS, "--bind", "127.0.0.1"], user="redis")
    verdict = listening_verdict(target, _listening(container, target, 6379), 6379)
    assert [f.found for f in verdict.findings] == [
        "LISTEN only on loopback (127.0.0.1:6379 LISTEN): unreachable from the published port"
    ]
