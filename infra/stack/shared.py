"""An isolated test stack that several processes can share (pytest-xdist workers, the CLI).

The first caller starts it under a file lock and writes its state (project, profile, env, status)
to a 0600 file; later callers attach to it. Whoever owns the run tears it down with `stop`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from filelock import FileLock

from infra.compose.model import load_model
from infra.config import HarnessConfig
from infra.environ import child_env
from infra.progress import Progress
from infra.stack import profiles
from infra.stack.isolation import isolated_env, isolated_project_name
from infra.stack.lifecycle import ServiceStatus, Stack, StackStatus

STATE_FILE = "stack.json"
STARTUP_DEADLINE_S = 120.0


def _write_state(path: Path, data: dict[str, Any]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds credentials
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def _stack_from_state(config: HarnessConfig, data: dict[str, Any]) -> tuple[Stack, StackStatus]:
    profile = profiles.Profile(data["profile"], data["profile_reason"])
    stack = Stack(profile.files(config.base_files()), data["env"], data["project"], profile.name)
    raw = data["status"]
    status = StackStatus(
        profile=raw["profile"],
        project=raw["project"],
        total_s=raw["total_s"],
        services={k: ServiceStatus(**v) for k, v in raw["services"].items()},
    )
    return stack, status


def start_or_attach(
    config: HarnessConfig,
    state_dir: Path,
    requested_profile: profiles.ProfileName = "auto",
    progress: Progress | None = None,
) -> tuple[Stack, StackStatus]:
    """The shared test stack: started on first call (under a lock), attached to afterwards."""
    progress = progress or Progress()
    state_dir.mkdir(parents=True, exist_ok=True)
    state = state_dir / STATE_FILE
    with FileLock(str(state_dir / "stack.lock")):
        if state.exists():
            return _stack_from_state(config, json.loads(state.read_text()))
        env = isolated_env(config)
        model = load_model(config.base_files(), env=child_env(env))
        profile = profiles.choose(requested_profile, model)
        progress.say(f"profile: {profile.name} ({profile.reason})")
        profiles.prepare(profile, progress)
        stack = Stack(
            profile.files(config.base_files()), env, isolated_project_name(), profile.name, progress
        )
        status = stack.up(deadline_s=STARTUP_DEADLINE_S)
        _write_state(
            state,
            {
                "project": stack.project,
                "profile": profile.name,
                "profile_reason": profile.reason,
                "env": env,
                "status": asdict(status),
            },
        )
        return stack, status


def stop(config: HarnessConfig, state_dir: Path) -> bool:
    """Tear down the shared stack if one was started from this state dir; True when it was."""
    state = state_dir / STATE_FILE
    if not state.exists():
        return False
    stack, _ = _stack_from_state(config, json.loads(state.read_text()))
    stack.down(remove_volumes=True)
    state.unlink()
    return True
