"""The one way to open a stack: configuration + requested profile -> a `Stack`, after one `docker
compose config`.

The CLI, the pytest session and the benchmarks all come through here. The profile is chosen from
the images the compose file names (read from the file itself, variables substituted), so the one
`docker compose config` runs on the chosen profile's files and gives the exact model that will run.
A stack started earlier is reopened from its saved state (`reopen`), never guessed from image tags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.compose.envfile import missing_variables, read_env_file
from infra.compose.interpolate import Refused, resolve
from infra.compose.model import ComposeFiles, load_model
from infra.compose.source import read_compose_yaml
from infra.config import HarnessConfig
from infra.environ import child_env
from infra.errors import HarnessError
from infra.masking import SecretEnv
from infra.progress import Progress
from infra.stack import profiles, state
from infra.stack.isolation import free_port, init_env_file, isolated_env, isolated_project_name
from infra.stack.lifecycle import Stack

_PROJECT_CHARS = re.compile(r"[^a-z0-9_-]")


@dataclass(frozen=True)
class StackSpec:
    """Everything that makes a stack: which files, which env, which project, which profile."""

    files: ComposeFiles
    env: SecretEnv
    project: str
    profile: profiles.Profile


def _raw(config: HarnessConfig) -> dict[str, Any]:
    return read_compose_yaml(config.compose_file)[1]


def declared_images(doc: Mapping[str, object], env: Mapping[str, str]) -> dict[str, str]:
    """service -> image as the file names it, `${VAR}` substituted from env (pure)."""
    services = doc.get("services")
    if not isinstance(services, dict):
        return {}
    return {
        str(name): _image(str(raw["image"]), env)
        for name, raw in services.items()
        if isinstance(raw, dict) and raw.get("image")
    }


def _image(written: str, env: Mapping[str, str]) -> str:
    """The image as Compose resolves it; one Compose would refuse is left as written (its `up` says why)."""
    try:
        return resolve(written, env)
    except Refused:
        return written


def project_name(config: HarnessConfig, project: str | None = None, isolated: bool = False) -> str:
    """The Compose project: the one asked for, a fresh one for an isolated stack, else the file's `name:`."""
    if project:
        return state.check_project_name(project)
    if isolated:
        return isolated_project_name()
    name = _raw(config).get("name") or config.compose_file.parent.name
    return state.check_project_name(_PROJECT_CHARS.sub("", str(name).lower()))


def _env(
    config: HarnessConfig, project: str, isolated: bool, state_dir: Path, new_ports: bool = False
) -> SecretEnv:
    """An isolated stack's env is its saved state's when it has one (the credentials its volumes were
    initialised with outlive its containers; `new_ports`: with fresh free ports); the developer's
    stack's is always the env file's."""
    if isolated:
        saved = state.load(state_dir, project)
        if saved is None:
            return SecretEnv(isolated_env(config))
        if new_ports:
            moved = {k: str(free_port()) for k in saved.env if k.endswith("_PORT")}
            return SecretEnv({**saved.env, **moved})
        return saved.env
    env = read_env_file(config.env_file)
    missing = missing_variables(config.needed_variables().values(), env)
    if missing:
        raise HarnessError(
            f"{', '.join(missing)} missing or empty in {config.env_file}", "set them there (see .env.example)"
        )
    return SecretEnv(env)


def resolve_spec(
    config: HarnessConfig,
    requested: profiles.ProfileName = "auto",
    project: str | None = None,
    isolated: bool = False,
    *,
    progress: Progress | None = None,
    state_dir: Path | None = None,
    new_ports: bool = False,
) -> tuple[HarnessConfig, StackSpec]:
    """Env, project and profile for a stack (writes a dev `.env` when there is none; builds stale
    offline images for the offline profile). Runs no `docker compose config`."""
    progress = progress or Progress()
    if not isolated and config.env_is_template:
        written = init_env_file(config.compose_file)
        progress.say(f"wrote {written} (mode 0600; credentials generated, not printed)")
        config = HarnessConfig.resolve(config.compose_file, written)
    name = project_name(config, project, isolated)
    env = _env(config, name, isolated, state_dir or config.state_dir, new_ports)
    service_images = declared_images(_raw(config), child_env(env) or {})
    profile = profiles.choose(requested, service_images)
    profiles.prepare(profile, progress)
    return config, StackSpec(profile.files(config.base_files(), service_images), env, name, profile)


def open_stack(
    config: HarnessConfig,
    requested: profiles.ProfileName = "auto",
    project: str | None = None,
    isolated: bool = False,
    *,
    progress: Progress | None = None,
    state_dir: Path | None = None,
    new_ports: bool = False,
) -> Stack:
    """A `Stack` for the requested profile, its model loaded by the one `docker compose config`.
    `state_dir`: where its state lives (default: the checkout's .orderflow)."""
    progress = progress or Progress()
    config, spec = resolve_spec(
        config, requested, project, isolated, progress=progress, state_dir=state_dir, new_ports=new_ports
    )
    model = load_model(spec.files, env=child_env(spec.env), project=spec.project)
    stack = Stack(
        spec.files,
        spec.env,
        spec.project,
        spec.profile.name,
        progress,
        model=model,
        passfile=state.passfile_path(state_dir or config.state_dir, spec.project),
        profile_reason=spec.profile.reason,
    )
    saved = state.state_path(state_dir or config.state_dir, spec.project)
    stack.state_file = saved if isolated and saved.is_file() else None
    return stack


def reopen(
    config: HarnessConfig,
    project: str | None,
    progress: Progress | None = None,
    state_dir: Path | None = None,
) -> Stack:
    """A stack started earlier, from its saved state; without state, by project name alone (the
    developer's env file when it has one), so a stack killed mid-start can still be removed."""
    name = project_name(config, project)
    state_dir = state_dir or config.state_dir
    saved = state.load(state_dir, name)
    if saved is not None:
        files = ComposeFiles(tuple(Path(f) for f in saved.files))
        return Stack(
            files,
            saved.env,
            name,
            saved.profile,
            progress,
            passfile=state.passfile_path(state_dir, name),
            profile_reason=saved.profile_reason,
        )
    env = read_env_file(config.env_file) if not config.env_is_template else {}
    return Stack(config.base_files(), env, name, "unknown", progress)


def new_state(stack: Stack, config: HarnessConfig, lease: state.Lease | None) -> state.StackState:
    return state.StackState(
        project=stack.project,
        profile=stack.profile,
        profile_reason=stack.profile_reason,
        files=tuple(str(f) for f in stack.files.files),
        working_dir=str(config.compose_file.parent),
        env=stack.env,
        lease=lease,
    )
