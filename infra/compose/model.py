"""The effective Compose configuration as typed dataclasses.

`docker compose config --format json` does the merging and interpolation (base + override files,
env file); this module only turns its output into dataclasses. Parsing is pure and unit-tested;
the one function that runs Compose is `load_model`.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.compose.envfile import read_env_file
from infra.compose.source import preflight
from infra.environ import process_env, run_bounded
from infra.errors import HarnessError
from infra.masking import mask, secret_values

# Host addresses that publish a port on this machine only: the file's rule and the running check agree.
LOOPBACK = frozenset({"127.0.0.1", "::1"})
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str | int | float) -> float:
    """Seconds in a Compose/Go duration such as "1m30s", "800ms" or "2s"; bare numbers are seconds."""
    if isinstance(text, int | float):
        return float(text)
    spec = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", spec):
        return float(spec)
    parts = _DURATION_PART.findall(spec)
    if not spec or "".join(n + u for n, u in parts) != spec:
        raise ValueError(f"not a duration: {text!r} (expected e.g. '1s', '800ms', '1m30s')")
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


@dataclass(frozen=True)
class PortBinding:
    target: int
    published: int | None
    host_ip: str  # "" when the file does not name one: Docker then binds every interface
    protocol: str = "tcp"


@dataclass(frozen=True)
class HealthCheck:
    test: tuple[str, ...]
    interval_s: float
    timeout_s: float
    retries: int
    start_period_s: float
    disabled: bool = False
    written: frozenset[str] = frozenset()  # the keys the file wrote; the rest are Compose's defaults

    @property
    def inherits_image(self) -> bool:
        """No test written, not disabled (`healthcheck: {disable: false}`): the image's HEALTHCHECK runs."""
        return not self.test and not self.disabled


@dataclass(frozen=True)
class Mount:
    type: str  # volume, bind, tmpfs
    source: str
    target: str
    read_only: bool = False


@dataclass(frozen=True)
class Service:
    name: str
    image: str
    ports: tuple[PortBinding, ...] = ()
    healthcheck: HealthCheck | None = None
    mounts: tuple[Mount, ...] = ()
    environment: Mapping[str, str] = field(default_factory=dict)
    privileged: bool = False
    stop_signal: str | None = None
    stop_grace_period_s: float | None = None
    user: str | None = None
    command: tuple[str, ...] | None = None  # None: the image's CMD
    entrypoint: tuple[str, ...] | None = None
    built: bool = False  # has a `build:` section
    container_name: str | None = None
    shm_size: str | None = None
    ipc: str | None = None
    memory_limit: str | None = None  # mem_limit or deploy.resources.limits.memory
    security_opt: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    logging: Mapping[str, Any] = field(default_factory=dict)
    depends_on: Mapping[str, str] = field(default_factory=dict)  # service -> condition
    env_files: tuple[Path, ...] = ()
    profiles: tuple[str, ...] = ()  # the Compose profiles that enable it; () = always on
    restart: str | None = None  # `restart:` or deploy.restart_policy.condition, as written
    build_context: str | None = None  # `build:` context folder and Dockerfile (relative to it)
    dockerfile: str | None = None
    build_target: str | None = None


@dataclass(frozen=True)
class EnvFileRecord:
    """An env file the stack reads (`--env-file`/.env, a service's `env_file:`), whether git tracks it
    (None: not in a git work tree, so nobody can tell), and the published example beside it."""

    path: Path
    values: Mapping[str, str]
    tracked: bool | None = None
    # The published example beside it (`.env.example`, `env.example`, a template) it was copied from.
    example: Path | None = None
    example_values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ComposeModel:
    project: str
    services: Mapping[str, Service]
    volumes: tuple[str, ...]
    # The variables Compose interpolated with (env file, then the shell), which file they came
    # from, and the placeholders invented for `${X:?}` variables nobody set (Compose would refuse).
    variables: Mapping[str, str] = field(default_factory=dict)
    env_file: Path | None = None
    placeholders: tuple[str, ...] = ()
    env_records: tuple[EnvFileRecord, ...] = ()
    # Services whose image declares a HEALTHCHECK -> how we know (inspected, its Dockerfile, the table).
    shipped_healthchecks: Mapping[str, str] = field(default_factory=dict)

    def service(self, name: str) -> Service:
        try:
            return self.services[name]
        except KeyError:
            raise HarnessError(
                f"no service {name!r} in the compose model", f"services are: {', '.join(self.services)}"
            ) from None


# Compose's defaults (https://docs.docker.com/reference/dockerfile/#healthcheck)
_HC_DEFAULTS = {"interval": "30s", "timeout": "30s", "retries": 3, "start_period": "0s"}


def _healthcheck(raw: Mapping[str, Any] | None) -> HealthCheck | None:
    if raw is None:
        return None
    test = raw.get("test") or []
    if isinstance(test, str):
        test = ["CMD-SHELL", test]
    disabled = bool(raw.get("disable")) or list(test[:1]) == ["NONE"]
    return HealthCheck(
        written=frozenset(k for k in ("test", "interval", "timeout", "retries", "start_period") if k in raw),
        test=tuple(str(t) for t in test),
        interval_s=parse_duration(raw.get("interval", _HC_DEFAULTS["interval"])),
        timeout_s=parse_duration(raw.get("timeout", _HC_DEFAULTS["timeout"])),
        retries=int(raw.get("retries", _HC_DEFAULTS["retries"])),
        start_period_s=parse_duration(raw.get("start_period", _HC_DEFAULTS["start_period"])),
        disabled=disabled,
    )


def _port(raw: Mapping[str, Any]) -> PortBinding:
    published = raw.get("published")
    return PortBinding(
        target=int(raw["target"]),
        published=int(published) if published not in (None, "") else None,
        host_ip=str(raw.get("host_ip", "")),
        protocol=str(raw.get("protocol", "tcp")),
    )


def _mount(raw: Mapping[str, Any]) -> Mount:
    return Mount(
        type=str(raw.get("type", "volume")),
        source=str(raw.get("source", "")),
        target=str(raw["target"]),
        read_only=bool(raw.get("read_only", False)),
    )


def _service(name: str, raw: Mapping[str, Any]) -> Service:
    env = raw.get("environment") or {}
    grace = raw.get("stop_grace_period")
    return Service(
        name=name,
        image=str(raw.get("image", "")),
        ports=tuple(_port(p) for p in raw.get("ports") or ()),
        healthcheck=_healthcheck(raw.get("healthcheck")),
        mounts=tuple(_mount(v) for v in raw.get("volumes") or ()),
        environment={str(k): "" if v is None else str(v) for k, v in env.items()},
        privileged=bool(raw.get("privileged", False)),
        stop_signal=raw.get("stop_signal"),
        stop_grace_period_s=parse_duration(grace) if grace is not None else None,
        user=raw.get("user"),
        command=_command(raw.get("command")),
        entrypoint=_command(raw.get("entrypoint")),
        built="build" in raw,
        container_name=raw.get("container_name"),
        shm_size=None if raw.get("shm_size") is None else str(raw["shm_size"]),
        ipc=raw.get("ipc"),
        memory_limit=_memory_limit(raw),
        security_opt=tuple(str(o) for o in raw.get("security_opt") or ()),
        cap_drop=tuple(str(c) for c in raw.get("cap_drop") or ()),
        logging=raw.get("logging") or {},
        depends_on=_depends_on(raw.get("depends_on")),
        env_files=tuple(Path(_env_file_path(e)) for e in raw.get("env_file") or ()),
        profiles=tuple(str(p) for p in raw.get("profiles") or ()),
        restart=_restart(raw),
        **_build(raw.get("build")),
    )


def _restart(raw: Mapping[str, Any]) -> str | None:
    policy = ((raw.get("deploy") or {}).get("restart_policy") or {}).get("condition")
    value = raw.get("restart", policy)
    return None if value is None else str(value)


def _build(raw: Any) -> dict[str, str | None]:
    if isinstance(raw, str):
        raw = {"context": raw}
    if not isinstance(raw, Mapping):
        return {}
    return {
        "build_context": str(raw.get("context", ".")),
        "dockerfile": str(raw.get("dockerfile", "Dockerfile")),
        "build_target": None if raw.get("target") is None else str(raw["target"]),
    }


def _memory_limit(raw: Mapping[str, Any]) -> str | None:
    limits = ((raw.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    value = raw.get("mem_limit") or limits.get("memory")
    return None if value in (None, "", 0) else str(value)


def _depends_on(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        return {str(k): str((v or {}).get("condition", "service_started")) for k, v in raw.items()}
    return {str(name): "service_started" for name in raw or ()}


def _env_file_path(entry: Any) -> str:
    return str(entry.get("path", "")) if isinstance(entry, Mapping) else str(entry)


def _command(raw: Any) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return (str(raw),) if isinstance(raw, str) else tuple(str(part) for part in raw)


def model_from_config(doc: Mapping[str, Any], **context: Any) -> ComposeModel:
    """Build the model from the JSON that `docker compose config --format json` prints; `context`
    fills the interpolation fields (variables, env_file, placeholders, env_records)."""
    services = doc.get("services") or {}
    return ComposeModel(
        project=str(doc.get("name", "")),
        services={name: _service(name, raw) for name, raw in services.items()},
        volumes=tuple(doc.get("volumes") or ()),
        **context,
    )


@dataclass(frozen=True)
class ComposeFiles:
    """Which files make the stack: the main file, override files merged after it, and the env file."""

    files: tuple[Path, ...]
    env_file: Path | None = None

    @property
    def project_dir(self) -> Path:
        return self.files[0].resolve().parent

    def cli(self, project: str | None = None) -> list[str]:
        """The `docker compose ...` prefix for these files (and project name, when given)."""
        cmd = ["docker", "compose", "--project-directory", str(self.project_dir)]
        if project:
            cmd += ["--project-name", project]
        for f in self.files:
            cmd += ["-f", str(f)]
        if self.env_file is not None:
            cmd += ["--env-file", str(self.env_file)]
        return cmd


_MISSING_VAR = re.compile(r"required variable (\w+) is missing a value(?:: (.*))?")
CONFIG_TIMEOUT_S = 60.0


def explain_config_error(
    stderr: str, files: ComposeFiles, secrets: Sequence[str] = (), outside: Sequence[Path] = ()
) -> HarnessError:
    """Turn Compose's error text into one line naming the file or variable, with a hint; secrets
    masked, and nothing relayed when the file makes Compose read files outside its project dir."""
    text = mask(" ".join(stderr.split()), secrets)
    missing = _MISSING_VAR.search(text)
    env_name = str(files.env_file) if files.env_file else "the environment"
    if missing:
        return HarnessError(
            f"variable {missing.group(1)} is missing from {env_name}",
            f"set {missing.group(1)} there (see .env.example)",
        )
    where = ", ".join(str(f) for f in files.files)
    if outside:
        return HarnessError(
            f"docker compose cannot read {where}, which makes it read "
            f"{', '.join(str(p) for p in outside)} outside its project dir {files.project_dir} "
            "(Compose's message is not shown: it may quote those files)",
            "run `docker compose config` yourself, or keep included files inside the project dir",
        )
    return HarnessError(
        f"docker compose cannot read {where}: {text}", "fix the file, then run `docker compose config`"
    )


def _secrets_for(files: ComposeFiles, env: Mapping[str, str] | None) -> list[str]:
    """What Compose may quote back: secret values of the process env and of the env file it reads."""
    values = dict(process_env() if env is None else env)
    env_file = files.env_file or files.project_dir / ".env"
    if env_file.is_file():
        with contextlib.suppress(HarnessError):  # an unreadable env file: Compose says why
            values = {**read_env_file(env_file), **values}
    return secret_values(values)


def load_model(
    files: ComposeFiles,
    env: Mapping[str, str] | None = None,
    project: str | None = None,
    profiles: tuple[str, ...] = (),
    **context: Any,
) -> ComposeModel:
    """The effective configuration, as Compose itself resolves it; `profiles` enables those Compose
    profiles ("*": every one); `context`: see model_from_config.

    The files are read by our bounded reader first (type, size, aliases, nesting, what they
    reference), so `docker compose config` is never the first to open hostile input."""
    for f in files.files:
        if not f.exists():
            raise HarnessError(
                f"compose file {f} does not exist", "pass an existing file with --compose-file"
            )
    if files.env_file is not None and not files.env_file.exists():
        raise HarnessError(
            f"env file {files.env_file} does not exist", "copy .env.example to .env and fill it in"
        )
    checked = preflight(files.files, files.project_dir, files.env_file)
    try:
        proc = run_bounded(
            [
                *files.cli(project),
                *(a for p in profiles for a in ("--profile", p)),
                "config",
                "--format",
                "json",
            ],
            timeout=CONFIG_TIMEOUT_S,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise HarnessError(
            f"`docker compose config` on {', '.join(str(f) for f in files.files)} did not answer "
            f"within {CONFIG_TIMEOUT_S:.0f}s (stopped)",
            "run `docker compose config` yourself to see where it hangs",
        ) from None
    if proc.returncode != 0:
        raise explain_config_error(proc.stderr, files, _secrets_for(files, env), checked.outside)
    return model_from_config(json.loads(proc.stdout), **context)
