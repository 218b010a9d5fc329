"""An isolated test stack that several processes share (pytest-xdist workers, the CLI).

The session's controller picks the project name and holds the lease; the first worker to arrive
opens the stack (through the one opener) under the project lock and saves the same state the CLI
saves; later workers attach to it. `stop` removes it with its volumes and its state. A session
killed without cleanup leaves state whose lease is dead: `prune-test-stacks` removes both.
"""

from __future__ import annotations

from infra.config import HarnessConfig
from infra.progress import Progress
from infra.stack import opener, profiles, state
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.ownership import project_lock

LOCK_MARGIN_S = 60.0


def start_or_attach(
    config: HarnessConfig,
    project: str,
    lease: state.Lease,
    *,
    requested_profile: profiles.ProfileName = "auto",
    deadline_s: float = 120.0,
    progress: Progress | None = None,
) -> tuple[Stack, StackStatus]:
    """The shared test stack: started on first call, attached to afterwards."""
    progress = progress or Progress()
    with project_lock(project, wait_s=deadline_s + LOCK_MARGIN_S):
        saved = state.load(config.state_dir, project)
        if saved is not None and saved.phase == "up":
            stack = opener.reopen(config, project, progress)
            return stack, stack.status(saved.healthy_after_s)
        stack = opener.open_stack(
            config, requested_profile, project=project, isolated=True, progress=progress
        )
        progress.say(f"profile: {stack.profile} ({stack.profile_reason})")
        started = opener.new_state(stack, config, lease)
        state.save(config.state_dir, started)
        try:
            status = stack.up(deadline_s=deadline_s)
        except BaseException:
            if not stack.volumes():
                state.remove(config.state_dir, project)
            raise
        healthy = {k: v.healthy_after_s for k, v in status.services.items() if v.healthy_after_s is not None}
        state.save(config.state_dir, started.with_(phase="up", healthy_after_s=healthy))
        return stack, status


def stop(config: HarnessConfig, project: str) -> bool:
    """Remove the shared stack and its state if this session started one; True when it did."""
    if state.load(config.state_dir, project) is None:
        return False
    stack = opener.reopen(config, project)
    stack.down(remove_volumes=True)
    state.remove(config.state_dir, project)
    return True
