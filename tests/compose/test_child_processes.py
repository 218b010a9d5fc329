"""Every child is bounded and its whole process group ends on every exit path (issue 15 item 6).

A real `docker compose config` on a FIFO blocks in the compose plugin, a grandchild of ours; before,
Ctrl-C ended the `docker` CLI and left the plugin blocked forever, re-parented to init.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from infra.environ import run_bounded
from infra.stack.throwaway import wait_until

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.compose]


def holders(marker: str) -> list[int]:
    """Pids whose command line names `marker` (the FIFO path: only our compose processes do)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and "python" not in cmdline:
            found.append(int(entry.name))
    return found


def plugins(marker: str) -> list[int]:
    """The compose plugin processes (`docker-compose compose ...`, started by the `docker` CLI)."""
    return [p for p in holders(marker) if b"docker-compose" in Path(f"/proc/{p}/cmdline").read_bytes()]


def none_left(marker: str) -> bool | None:
    left = holders(marker)
    if left:
        raise AssertionError(f"still running: {left}")
    return True


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "blocking-compose.yml"
    os.mkfifo(path)
    return path


def test_ctrl_c_ends_the_compose_plugin_too(fifo):
    script = (
        "import sys; from infra.environ import run_bounded\n"
        f"run_bounded(['docker', 'compose', '-f', {str(fifo)!r}, 'config'], timeout=600)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until(lambda: plugins(str(fifo)) or None, "the compose plugin to block on the FIFO")
        parent.send_signal(signal.SIGINT)  # what the terminal's Ctrl-C sends us
        _, err = parent.communicate(timeout=60)
        assert "KeyboardInterrupt" in err
        wait_until(lambda: none_left(str(fifo)), "the compose processes to end", deadline_s=30)
    finally:
        parent.kill()
        for pid in holders(str(fifo)):
            os.kill(pid, signal.SIGKILL)


def test_a_timeout_ends_the_whole_group(fifo):
    with pytest.raises(subprocess.TimeoutExpired):
        run_bounded(["docker", "compose", "-f", str(fifo), "config"], timeout=2)
    wait_until(lambda: none_left(str(fifo)), "the compose processes to end", deadline_s=30)


def test_a_normal_run_returns_its_output_and_leaves_nothing():
    proc = run_bounded(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=30)
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "out\n", "err\n")
