"""Fault tests, names, paths and state (issue 15 items 3, 5, 7; input side): the real CLI in a
throwaway checkout, a real Compose and engine. Each failure is one line; nothing outside the stacks
dir is read or deleted; a full disk or a corrupt state file never leaves a stack half-recorded or
blocks `prune-test-stacks`."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.cli.stack import _start
from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.masking import SecretEnv
from infra.stack import opener, state
from infra.stack.isolation import free_port
from infra.stack.ownership import lock_dir
from tests.stack.checkout import SCENARIOS, Checkout, leftovers, make_checkout
from tests.stack.test_faults_input import one_line_error

UP = ("--profile", "upstream")


@pytest.fixture
def healthy(tmp_path, checkouts, images) -> Checkout:
    c = make_checkout(tmp_path / "healthy", "healthy", {"SCENARIO_IMAGE": images["redis"], "OK_PORT": "1"})
    checkouts.append(c)
    return c


def running(project: str) -> bool:
    return any(x.startswith("container ") for x in leftovers(project))


@pytest.mark.infra
@pytest.mark.parametrize("name", ["../../victim", "Upper", "_under", "a/b"])
def test_a_project_name_compose_refuses_touches_no_file(healthy, name):
    """`down --project ../../X --volumes` deleted X.json and X.pgpass outside .orderflow/stacks."""
    (healthy.root / ".orderflow" / "stacks").mkdir(parents=True)
    planted = [healthy.root / "victim.json", healthy.root / "victim.pgpass"]
    for path in planted:
        path.write_text('{"project": "victim"}')
    for command in (["down", "--volumes"], ["status"], ["up", *UP]):
        line = one_line_error(healthy.run(command[0], "--project", name, *command[1:]))
        assert f"project name {name!r} is not one Compose accepts" in line, line
    assert all(p.read_text() == '{"project": "victim"}' for p in planted)


def test_the_lock_dir_is_private_and_refuses_planted_links(tmp_path):
    made = lock_dir(str(tmp_path))
    info = made.lstat()
    assert made == tmp_path / "orderflow-locks" and info.st_mode & 0o777 == 0o700
    assert info.st_uid == os.getuid()
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "orderflow-locks").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(HarnessError, match=r"is not a directory of yours .*\(a symlink"):
        lock_dir(str(planted))
    loose = tmp_path / "loose"
    (loose / "orderflow-locks").mkdir(parents=True)
    (loose / "orderflow-locks").chmod(0o777)
    with pytest.raises(HarnessError, match="group/world-writable"):
        lock_dir(str(loose))


@contextlib.contextmanager
def full_tmpfs(where: Path) -> Iterator[None]:
    """A 64 KiB tmpfs at `where`, filled up: every write there fails with ENOSPC."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        (where / "stacks").mkdir()
        with contextlib.suppress(OSError), (where / "filler").open("wb") as filler:
            while True:
                filler.write(b"x" * 4096)
                filler.flush()
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.infra
def test_a_full_state_dir_is_one_line_leaves_no_temp_file_and_starts_nothing(healthy):
    project = healthy.project()
    healthy.set_env(OK_PORT=str(free_port()))
    with full_tmpfs(healthy.root / ".orderflow"):
        line = one_line_error(healthy.run("up", "--isolated", "--project", project, *UP))
        assert "cannot write stack state" in line and "No space left on device" in line, line
        assert sorted(p.name for p in (healthy.root / ".orderflow" / "stacks").iterdir()) == []
    assert leftovers(project) == []


@pytest.mark.infra
def test_a_failed_last_save_stops_what_it_started(healthy, monkeypatch):
    """The stack came up healthy, then recording `phase: up` failed: it must not run as `starting`."""
    project = healthy.project()
    config = HarnessConfig.resolve(healthy.compose_file, healthy.root / ".env")
    stack = opener.open_stack(config, "upstream", project, isolated=True)
    real = state.write_text

    def disk_full_at_the_last_save(handle, text):
        if '"phase": "up"' in text:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(handle, text)

    monkeypatch.setattr(state, "write_text", disk_full_at_the_last_save)
    with pytest.raises(HarnessError, match=rf"No space left on device.*stopped {project} again") as exc:
        _start(stack, config, deadline_s=60)
    assert "\n" not in exc.value.one_line()
    assert not running(project)
    saved = state.load(config.state_dir, project)
    assert saved is not None and saved.phase == "starting"  # the credentials, for a later `up`/`down`
    assert [p.name for p in state.stacks_dir(config.state_dir).iterdir() if p.name.startswith(".")] == []


CORRUPT = {
    "truncated": '{"project": "x", "prof',
    "a-list": "[1, 2]",
    "version-99": json.dumps({"version": 99, "project": "x"}),
}


@pytest.mark.infra
def test_corrupt_state_files_do_not_block_prune(healthy):
    stacks = healthy.root / ".orderflow" / "stacks"
    stacks.mkdir(parents=True)
    for kind, text in CORRUPT.items():
        (stacks / f"orderflow-test-{kind}.json").write_text(text)
    (stacks / "orderflow-test-a-directory.json").mkdir()
    dead = healthy.project()
    healthy.set_env(OK_PORT=str(free_port()))
    assert healthy.run("up", "--isolated", "--project", dead, *UP).returncode == 0
    pruned = healthy.run("prune-test-stacks")
    assert pruned.returncode == 0 and "Traceback" not in pruned.stderr, pruned.stderr
    skipped = [line for line in pruned.stdout.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 4, pruned.stdout
    assert any("has version 99; this harness reads version 1" in line for line in skipped)
    assert dead in pruned.stdout.splitlines()[0] and leftovers(dead) == []  # it went on
    status = one_line_error(healthy.run("status", "--project", "orderflow-test-version-99"))
    assert "has version 99" in status


@pytest.mark.infra
def test_prune_removes_the_suites_own_scenario_stacks_when_their_run_is_dead(healthy, checkouts):
    """After a killed `pytest -m infra` the negative-case stacks under tests/live/scenarios/... of this
    checkout were kept as "another checkout's"; a checkout nested inside (its own .git) still is."""
    scenario = healthy.root / "tests" / "live" / "scenarios" / "unhealthy"
    nested = healthy.root / "vendor" / "other-clone"
    projects = {}
    for folder in (scenario, nested):
        folder.mkdir(parents=True)
        shutil.copy(SCENARIOS / "healthy" / "docker-compose.yml", folder / "docker-compose.yml")
        project = healthy.project()
        env = {**os.environ, **healthy.env(), "OK_PORT": str(free_port())}
        subprocess.run(
            ["docker", "compose", "-p", project, "--project-directory", str(folder), "up", "--detach"],
            env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        projects[folder] = project
    (nested / ".git").mkdir()
    pruned = healthy.run("prune-test-stacks")
    assert pruned.returncode == 0, pruned.stderr
    assert projects[scenario] in pruned.stdout.splitlines()[0] and leftovers(projects[scenario]) == []
    assert f"{projects[nested]}: belongs to the checkout at {nested}" in pruned.stdout
    assert running(projects[nested])


@pytest.mark.infra
def test_a_taken_saved_port_names_the_state_file_and_new_ports_moves_it(healthy):
    project = healthy.project()
    assert healthy.run("up", "--isolated", "--project", project, *UP).returncode == 0
    saved = healthy.state(project)
    assert saved is not None
    port = int(saved["env"]["OK_PORT"])  # type: ignore[index]
    assert healthy.run("down", "--project", project).returncode == 0  # volumes and credentials kept
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        line = one_line_error(healthy.run("up", "--isolated", "--project", project, *UP))
        state_file = healthy.root / ".orderflow" / "stacks" / f"{project}.json"
        assert f"host port {port} (OK_PORT)" in line and str(state_file) in line, line
        assert f"--project {project} --new-ports" in line
        moved = healthy.run("up", "--isolated", "--project", project, "--new-ports", *UP)
        assert moved.returncode == 0, moved.stderr
    after = healthy.state(project)
    assert after is not None
    assert after["env"]["OK_PORT"] != str(port)  # type: ignore[index]
    assert {k: v for k, v in after["env"].items() if k != "OK_PORT"} == {  # type: ignore[attr-defined]
        k: v
        for k, v in saved["env"].items()  # type: ignore[attr-defined]
        if k != "OK_PORT"
    }


@pytest.mark.infra
def test_compose_quoting_a_secret_is_masked_by_up(healthy):
    """`mem_limit: ${X_PASSWORD}` makes Compose quote the password in its error (console and --json)."""
    text = healthy.compose_file.read_text().replace("    ports:", "    mem_limit: ${OK_PASSWORD}\n    ports:")
    healthy.compose_file.write_text(text)
    password = "pw-" + os.urandom(12).hex()
    healthy.set_env(OK_PASSWORD=password)
    project = healthy.project()
    for extra in ((), ("--json",)):
        proc = healthy.run("up", "--isolated", "--project", project, *UP, *extra)
        assert proc.returncode == 1 and "mem_limit" in proc.stdout + proc.stderr, proc.stderr
        assert password not in proc.stdout + proc.stderr
    assert leftovers(project) == []


def test_a_planted_stacks_dir_symlink_is_refused(tmp_path):
    """The state files hold credentials: never written through a link someone planted."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "stacks").symlink_to(tmp_path / "elsewhere")
    saved = state.StackState("p", "upstream", "", (), str(tmp_path), SecretEnv({}))
    with pytest.raises(HarnessError, match=r"stack state dir .* is a symlink or not yours"):
        state.save(tmp_path / "state", saved)
    assert list((tmp_path / "elsewhere").iterdir()) == []
