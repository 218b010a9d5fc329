"""An isolated test stack that several processes share (pytest-xdist workers, the CLI).

The session's controller picks the project name and holds the lease; the first worker to arrive
opens the stack (through the one opener) under the project lock and saves the same state the CLI
saves; later workers attach to it. `stop` removes it with its volumes and its state. A session
killed without cleanup leaves state whose lease is dead: `prune-test-stacks` removes both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from infra.config import HarnessConfig
from infra.progress import Progress
from infra.stack import opener, profiles, state
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.ownership import project_lock

LOCK_MARGIN_S = 60.0


def start_or_attach(
    config: HarnessConfig,
    state_dir: Path,
    project: str,
    lease: state.Lease,
    *,
    requested_profile: profiles.ProfileName = "auto",
    deadline_s: float = 120.0,
    progress: Progress | None = None,
    services: Sequence[str] = (),
) -> tuple[Stack, StackStatus]:
    """The shared test stack: started on first call (only `services` and what they depend on, when
    given), attached to afterwards."""
    progress = progress or Progress()
    with project_lock(project, wait_s=deadline_s + LOCK_MARGIN_S):
        saved = state.load(state_dir, project)
        if saved is not None and saved.phase == "up":
            stack = opener.reopen(config, project, progress, state_dir)
            return stack, stack.status(saved.healthy_after_s)
        stack = opener.open_stack(
            config, requested_profile, project, isolated=True, progress=progress, state_dir=state_dir
        )
        progress.say(f"profile: {stack.profile} ({stack.profile_reason})")
        started = opener.new_state(stack, config, lease)
        state.save(state_dir, started)
        try:
            status = stack.up(deadline_s=deadline_s, services=services)
        except BaseException:
            if not stack.volumes():
                state.remove(state_dir, project)
            raise
        healthy = {k: v.healthy_after_s for k, v in status.services.items() if v.healthy_after_s is not None}
        state.save(state_dir, started.with_(phase="up", healthy_after_s=healthy))
        return stack, status


def stop(config: HarnessConfig, state_dir: Path, project: str) -> bool:
    """Remove the shared stack and its state if this session started one; True when it did."""
    if state.load(state_dir, project) is None:
        return False
    stack = opener.reopen(config, project, state_dir=state_dir)
    stack.down(remove_volumes=True)
    state.remove(state_dir, project)
    return True


def release(state_dir: Path, project: str) -> None:
    """Leave the stack running for a later session (`--stack-state-dir`): drop this run's lease."""
    saved = state.load(state_dir, project)
    if saved is not None:
        state.save(state_dir, saved.with_(lease=None))


def reusable_project(state_dir: Path) -> str | None:
    """A stack a previous session left running in `state_dir`, to attach to."""
    for project in state.saved_projects(state_dir):
        saved = state.load(state_dir, project)
        if saved is not None and saved.phase == "up":
            return project
    return None
