"""Every knob of the harness: a flag (CLI or pytest option), else an environment variable, else the
project's `[tool.orderflow]` table, else a default found where the user stands.

Where the user stands is the working directory (the CLI) or pytest's rootdir; the project is the nearest
folder from there up whose pyproject.toml has a `[tool.orderflow]` table (else that folder itself), and
relative paths in the table are relative to it. Never the installed package's folder: installed, that is
site-packages. Resolved when called (never at import), so the CLI, the pytest plugin and a notebook
agree. No other module reads the harness's settings from the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.compose.envfile import VariableRef, read_env_file, referenced_variables
from infra.compose.model import ComposeFiles
from infra.errors import HarnessError

# This checkout, for its own tests and benchmarks only: installed, it is site-packages. Defaults come
# from the user's project (Project.find), never from here.
REPO_ROOT = Path(__file__).resolve().parent.parent
TOOL_TABLE = "orderflow"  # [tool.orderflow] in pyproject.toml
# Compose's own search order for a project's default file.
COMPOSE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
COMPOSE_FILE_VAR = "ORDERFLOW_COMPOSE_FILE"
ENV_FILE_VAR = "ORDERFLOW_ENV_FILE"
ALEMBIC_INI_VAR = "ORDERFLOW_ALEMBIC_INI"
METADATA_VAR = "ORDERFLOW_TARGET_METADATA"
BASE_REF_VAR = "ORDERFLOW_BASE_REF"
MIGRATIONS_CONFIG_VAR = "ORDERFLOW_MIGRATIONS_CONFIG"
DRIVER_VAR = "ORDERFLOW_DRIVER"
PROFILE_VAR = "ORDERFLOW_PROFILE"
STACK_STATE_DIR_VAR = "ORDERFLOW_STACK_STATE_DIR"
DATABASE_URL_VAR = "ORDERFLOW_DATABASE_URL"
DEFAULT_BASE_REF = "HEAD"
PROFILES = ("auto", "upstream", "offline")
STATE_DIR_NAME = ".orderflow"
STARTUP_BUDGET_VAR = "ORDERFLOW_STARTUP_BUDGET_S"
MIGRATION_BUDGET_VAR = "ORDERFLOW_MIGRATION_BUDGET_S"
STARTUP_BUDGET_S = 120.0  # the seed's promise: a full dev environment healthy in under 2 minutes
MIGRATION_BUDGET_S = 10.0  # the seed's promise: migrations on an empty database in under 10 s


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


@dataclass(frozen=True)
class Project:
    """The user's project: its folder and its `[tool.orderflow]` table ({} when it has none)."""

    root: Path
    settings: Mapping[str, Any]
    pyproject: Path | None = None

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The nearest folder from `start` (default: the working directory) up whose pyproject.toml has
        a [tool.orderflow] table; else `start` with no settings."""
        here = (start or Path.cwd()).resolve()
        for folder in [here, *here.parents]:
            pyproject = folder / "pyproject.toml"
            table = _tool_table(pyproject) if pyproject.is_file() else None
            if table is not None:
                return cls(folder, table, pyproject)
        return cls(here, {})

    def path(self, key: str) -> Path | None:
        """A path setting of the table, relative to the project; None when not set."""
        value = self.settings.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise HarnessError(
                f"{self.pyproject}: [tool.{TOOL_TABLE}] {key} must be a path string, not {value!r}",
                f'write {key} = "relative/path"',
            )
        return self.root / value

    def default_compose_file(self) -> Path:
        """[tool.orderflow] compose-file, else the first of Compose's default names in the project."""
        configured = self.path("compose-file")
        if configured is not None:
            return configured
        found = [self.root / name for name in COMPOSE_FILE_NAMES if (self.root / name).is_file()]
        return found[0] if found else self.root / "docker-compose.yml"


def _tool_table(pyproject: Path) -> Mapping[str, Any] | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise HarnessError(f"{pyproject}: not valid TOML ({exc})", "fix the file") from None
    table = data.get("tool", {}).get(TOOL_TABLE)
    return table if isinstance(table, dict) else None


@dataclass(frozen=True)
class HarnessConfig:
    compose_file: Path
    env_file: Path  # the env file, or the template (.env.example) when no .env exists
    env_is_template: bool

    @classmethod
    def resolve(
        cls,
        compose_file: str | Path | None = None,
        env_file: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        start: Path | None = None,
    ) -> HarnessConfig:
        """The flag, else ORDERFLOW_COMPOSE_FILE, else the project's default (see Project) from `start`."""
        environ = _environ(environ)
        given = compose_file or environ.get(COMPOSE_FILE_VAR)
        compose = Path(given) if given else Project.find(start).default_compose_file()
        if not compose.is_file():
            if given:
                hint = f"pass --compose-file or set {COMPOSE_FILE_VAR} to an existing file"
            else:
                hint = (
                    f"pass --compose-file (pytest: --orderflow-compose-file), set {COMPOSE_FILE_VAR}, or "
                    f"set compose-file in [tool.{TOOL_TABLE}] of pyproject.toml"
                )
            raise HarnessError(f"compose file {compose} does not exist", hint)
        explicit = env_file or environ.get(ENV_FILE_VAR)
        if explicit:
            env = Path(explicit)
            if not env.is_file():
                raise HarnessError(f"env file {env} does not exist", f"pass --env-file or set {ENV_FILE_VAR}")
            return cls(compose.resolve(), env.resolve(), env_is_template=False)
        dotenv = compose.parent / ".env"
        if dotenv.is_file():
            return cls(compose.resolve(), dotenv.resolve(), env_is_template=False)
        return cls(compose.resolve(), (compose.parent / ".env.example").resolve(), env_is_template=True)

    def base_files(self) -> ComposeFiles:
        return ComposeFiles(files=(self.compose_file,))

    def needed_variables(self) -> dict[str, VariableRef]:
        return referenced_variables(self.compose_file.read_text(encoding="utf-8"))

    def template_values(self) -> dict[str, str]:
        return read_env_file(self.env_file) if self.env_file.is_file() else {}

    @property
    def state_dir(self) -> Path:
        return self.compose_file.parent / STATE_DIR_NAME


def alembic_ini(
    explicit: str | Path | None = None, environ: Mapping[str, str] | None = None, start: Path | None = None
) -> Path:
    """The Alembic tree under test: the flag, else ORDERFLOW_ALEMBIC_INI, else the project's
    [tool.orderflow] alembic-ini, else alembic.ini in the project's folder."""
    given = explicit or _environ(environ).get(ALEMBIC_INI_VAR)
    if given:
        return Path(given)
    project = Project.find(start)
    return project.path("alembic-ini") or project.root / "alembic.ini"


def metadata_given(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """The models named by the flag or ORDERFLOW_TARGET_METADATA; None when only the project's apply."""
    return explicit or _environ(environ).get(METADATA_VAR) or None


def project_metadata(start: Path | None = None) -> str | None:
    """The models of the project's [tool.orderflow] metadata (`module:attr`), or None."""
    value = Project.find(start).settings.get("metadata")
    return value if isinstance(value, str) and value else None


def metadata_spec(
    explicit: str | None = None, environ: Mapping[str, str] | None = None, start: Path | None = None
) -> str:
    """Where the models' MetaData lives: the flag, else ORDERFLOW_TARGET_METADATA, else the project's
    [tool.orderflow] metadata; none of them is an error naming the three."""
    spec = metadata_given(explicit, environ) or project_metadata(start)
    if not spec:
        raise HarnessError(
            "no models named",
            f"pass --metadata package.models:Base, set {METADATA_VAR}, or set metadata in "
            f"[tool.{TOOL_TABLE}] of pyproject.toml",
        )
    return spec


def database_url(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """A PostgreSQL server the user gives for the migration checks: the flag, else ORDERFLOW_DATABASE_URL."""
    return explicit or _environ(environ).get(DATABASE_URL_VAR) or None


def migrations_config(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> Path | None:
    """The migration policy file: the flag, else ORDERFLOW_MIGRATIONS_CONFIG, else None (then the
    nearest pyproject.toml above the alembic.ini is used, see infra.migrations.policy)."""
    chosen = explicit or _environ(environ).get(MIGRATIONS_CONFIG_VAR)
    return Path(chosen) if chosen else None


def driver(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """The migrations' DBAPI driver the user chose, with where: the flag, else ORDERFLOW_DRIVER."""
    if explicit:
        return explicit, "--driver"
    value = _environ(environ).get(DRIVER_VAR)
    return (value, DRIVER_VAR) if value else None


def base_ref(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The git ref whose merged revisions must stay unchanged: flag, else ORDERFLOW_BASE_REF, else HEAD."""
    return explicit or _environ(environ).get(BASE_REF_VAR) or DEFAULT_BASE_REF


def merge_base_ref(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The pre-merge round trip's base: the flag, else ORDERFLOW_BASE_REF; no default (HEAD tests nothing)."""
    ref = explicit or _environ(environ).get(BASE_REF_VAR)
    if not ref:
        raise HarnessError("no base ref to compare with", f"pass --base origin/main or set {BASE_REF_VAR}")
    return ref


def profile(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The requested image profile: the flag, else ORDERFLOW_PROFILE, else auto."""
    value = explicit or _environ(environ).get(PROFILE_VAR) or "auto"
    if value not in PROFILES:
        raise HarnessError(
            f"unknown profile {value!r} (from {PROFILE_VAR})", f"use one of {', '.join(PROFILES)}"
        )
    return value


def stack_state_dir(
    explicit: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """Where a test session keeps its shared stack's state: the flag, else ORDERFLOW_STACK_STATE_DIR,
    else None (the session makes a temporary one and removes it, with the stack, at its end)."""
    value = explicit or _environ(environ).get(STACK_STATE_DIR_VAR)
    return Path(value) if value else None


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where files fetched for the offline images are kept, outside any checkout (XDG's cache home)."""
    home = _environ(environ).get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(home) / "orderflow"


@dataclass(frozen=True)
class Budgets:
    """The seed's time budgets: defined here once; `--startup-budget`/`--migration-budget` (CLI and
    pytest) or ORDERFLOW_STARTUP_BUDGET_S / ORDERFLOW_MIGRATION_BUDGET_S change them."""

    startup_s: float = STARTUP_BUDGET_S
    migrations_s: float = MIGRATION_BUDGET_S

    @classmethod
    def resolve(
        cls,
        startup_s: float | None = None,
        migrations_s: float | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Budgets:
        environ = _environ(environ)
        return cls(
            _seconds(startup_s, environ.get(STARTUP_BUDGET_VAR), STARTUP_BUDGET_S, STARTUP_BUDGET_VAR),
            _seconds(
                migrations_s, environ.get(MIGRATION_BUDGET_VAR), MIGRATION_BUDGET_S, MIGRATION_BUDGET_VAR
            ),
        )


def _seconds(explicit: float | None, raw: str | None, default: float, var: str) -> float:
    if explicit is not None:
        return float(explicit)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise HarnessError(
            f"{var}={raw!r} is not a number of seconds", f"set {var} to e.g. {default:.0f}"
        ) from None
    if value <= 0:
        raise HarnessError(f"{var}={raw!r} must be positive", f"set {var} to e.g. {default:.0f}")
    return value
