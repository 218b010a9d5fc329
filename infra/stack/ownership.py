"""Whose stack is it? A stack belongs to the checkout whose Compose created it (the containers'
working-dir label) and, while a run uses it, to that run (a lease with the run's pid in the saved
state). `up`, `down` and `prune-test-stacks` refuse to touch what is not theirs unless forced.

Why: two clones share the compose `name:`; without this the second `up` recreated the first's
containers on the first's volumes, and its `down --volumes` deleted the first's data. A prune at
the start of CI removed the stacks of test runs still in progress.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from infra.errors import HarnessError
from infra.stack.state import StackState

LOCK_DIR = Path(tempfile.gettempdir()) / "orderflow-stack-locks"
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


def other_checkout(working_dir: str | None, checkout: Path) -> str | None:
    """The other checkout that owns the containers, or None when they are this checkout's (or absent)."""
    if not working_dir or Path(working_dir).resolve() == checkout.resolve():
        return None
    return working_dir


def refuse_foreign(project: str, working_dir: str | None, checkout: Path, force: bool) -> None:
    other = other_checkout(working_dir, checkout)
    if other and not force:
        raise HarnessError(
            f"project {project} belongs to the checkout at {other}, not this one ({checkout})",
            "pass --project NAME for a stack of your own, or --force to act on it anyway",
        )


def live_lease(state: StackState | None, me: int) -> str | None:
    """'pytest session (pid 123)' when another live run holds the stack, else None."""
    lease = state.lease if state else None
    if lease is None or lease.pid == me or not lease.alive():
        return None
    return f"{lease.what} (pid {lease.pid})"


def refuse_leased(project: str, state: StackState | None, me: int, force: bool) -> None:
    holder = live_lease(state, me)
    if holder and not force:
        raise HarnessError(
            f"project {project} is in use by a live run: {holder}",
            "wait for it to finish, use another --project, or pass --force",
        )


@contextmanager
def project_lock(project: str, wait_s: float) -> Iterator[None]:
    """One `up`/`down` of a project at a time on this machine: a second one waits, then reconciles."""
    LOCK_DIR.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(LOCK_DIR / f"{_SAFE.sub('_', project)}.lock"))
    try:
        lock.acquire(timeout=wait_s)
    except Timeout:
        raise HarnessError(
            f"another `up` or `down` of project {project} is still running after {wait_s:.0f}s",
            "wait for it, or use another --project",
        ) from None
    try:
        yield
    finally:
        lock.release()
