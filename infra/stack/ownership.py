"""Whose stack is it? A stack belongs to the checkout whose Compose created it (the containers'
working-dir label) and, while a run uses it, to that run (a lease with the run's pid in the saved
state). `up`, `down` and `prune-test-stacks` refuse to touch what is not theirs unless forced.

Why: two clones share the compose `name:`; without this the second `up` recreated the first's
containers on the first's volumes, and its `down --volumes` deleted the first's data. A prune at
the start of CI removed the stacks of test runs still in progress.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from infra.environ import user_runtime_dir
from infra.errors import HarnessError
from infra.stack.state import StackState

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


def lock_dir(runtime: str | None = None) -> Path:
    """This user's lock directory: $XDG_RUNTIME_DIR/orderflow-locks, else <tmp>/orderflow-locks-<uid>.

    Why: locks in a machine-wide /tmp directory let anyone plant a symlink there (ELOOP traceback,
    or a lock file written through the link)."""
    return private_dir("orderflow-locks", "lock directory", runtime)


def private_dir(name: str, what: str, runtime: str | None = None) -> Path:
    """$XDG_RUNTIME_DIR/<name>, else <tmp>/<name>-<uid>; made 0700 and checked (a real directory,
    owned by us, nobody else can write) before use. `what` names it in the error."""
    runtime = runtime or user_runtime_dir()
    base = Path(runtime) / name if runtime else Path(tempfile.gettempdir()) / f"{name}-{os.getuid()}"
    with contextlib.suppress(FileExistsError):
        base.mkdir(mode=0o700, parents=False)
    try:
        info = base.lstat()
    except OSError as exc:
        raise HarnessError(f"{what} {base} cannot be made ({exc.strerror})", "check its parent") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise HarnessError(
            f"{what} {base} is not a directory of yours that only you can write "
            "(a symlink, another owner, or group/world-writable)",
            f"remove {base} (or set XDG_RUNTIME_DIR to a private directory)",
        )
    return base


@contextmanager
def project_lock(project: str, wait_s: float) -> Iterator[None]:
    """One `up`/`down` of a project at a time for this user: a second one waits, then reconciles."""
    lock = FileLock(str(lock_dir() / f"{_SAFE.sub('_', project)}.lock"))
    try:
        lock.acquire(timeout=wait_s)
    except Timeout:
        raise HarnessError(
            f"another `up` or `down` of project {project} is still running after {wait_s:.0f}s",
            "wait for it, or use another --project",
        ) from None
    except OSError as exc:
        raise HarnessError(
            f"cannot take the lock for project {project} in {lock_dir()} ({exc.strerror})",
            f"remove {lock_dir()}",
        ) from None
    try:
        yield
    finally:
        lock.release()


def inside_checkout(working_dir: str | None, checkout: Path) -> bool:
    """Whether Compose's working dir is this checkout or a folder of it (the suite's scenario
    stacks, tests/live/scenarios/...), not a nested checkout of its own (a `.git` on the way)."""
    if not working_dir:
        return False
    root, here = checkout.resolve(), Path(working_dir).resolve()
    if here != root and not here.is_relative_to(root):
        return False
    between = [d for d in [here, *here.parents] if d != root and d.is_relative_to(root)]
    return not any((d / ".git").exists() for d in between)
