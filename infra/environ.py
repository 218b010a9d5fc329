"""The child processes the harness starts (`docker compose`, `git`): their environment, and one
bounded way to run them (`run_bounded`).

Compose reads variables from its process environment, so a stack's values reach it by overlaying them
on this process's environment: one helper, so that overlay is written (and reviewed) once. Which
knobs the harness itself reads from the environment is infra.config's business, not this module's.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence


def process_env() -> Mapping[str, str]:
    """The environment every child inherits (Compose reads its variables, and may quote them back)."""
    return os.environ


def user_runtime_dir() -> str | None:
    """$XDG_RUNTIME_DIR: the per-user directory for locks and sockets, when the session has one."""
    return os.environ.get("XDG_RUNTIME_DIR") or None


def child_env(overrides: Mapping[str, str] | None) -> dict[str, str] | None:
    """This process's environment with `overrides` on top; None (inherit as is) without overrides."""
    if overrides is None:
        return None
    return {**os.environ, **overrides}


TERMINATE_GRACE_S = 3.0


def _stop_group(proc: subprocess.Popen[str]) -> None:
    """End the child's whole process group (`docker` and the compose plugin it runs): TERM, then KILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=TERMINATE_GRACE_S)
        except subprocess.TimeoutExpired:
            continue
        if sig == signal.SIGTERM:  # the leader is gone; KILL what it may have left in its group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        return


def run_bounded(
    cmd: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(..., capture_output=True, text=True)` in a process group of its own that is
    killed on every way out: a timeout (re-raised as `subprocess.TimeoutExpired`), Ctrl-C, any error.

    Why: a `docker compose` blocked on a FIFO survived Ctrl-C, re-parented to init; `run(timeout=)`
    kills only the `docker` CLI, never the plugin it started.
    """
    proc = subprocess.Popen(
        list(cmd),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(env) if env is not None else None,
        start_new_session=True,  # its own group: the terminal's Ctrl-C reaches us, we end the group
    )
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except BaseException:
        _stop_group(proc)
        proc.communicate()
        raise
    with contextlib.suppress(ProcessLookupError):  # grandchildren left behind by a finished leader
        os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
