"""The one saved state of a stack, written by the CLI and by the pytest session alike.

Why: the credentials a stack's volumes were initialised with must outlive its containers (a `down`
without `--volumes`, a killed run), and whoever touches a stack must be able to tell whose it is.
One JSON file per project under `<checkout>/.orderflow/stacks/`, mode 0600 (it holds credentials),
written before the first container starts, so a stack never runs without its state.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from infra.errors import HarnessError
from infra.masking import SecretEnv

STATE_VERSION = 1


@dataclass(frozen=True)
class Lease:
    """A run that is using the stack right now: its pid and that process's start time (pid reuse)."""

    pid: int
    started: str  # field 22 of /proc/<pid>/stat; "" where /proc does not exist
    what: str  # "python -m infra up", "pytest session"

    @classmethod
    def mine(cls, what: str) -> Lease:
        return cls(os.getpid(), process_start(os.getpid()), what)

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
        return process_start(self.pid) == self.started


def process_start(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rpartition(")")[2].split()[19]


@dataclass(frozen=True)
class StackState:
    project: str
    profile: str
    profile_reason: str
    files: tuple[str, ...]  # compose files, override last
    working_dir: str  # the checkout that owns it (Compose's project working dir)
    env: SecretEnv = field(repr=False)  # credentials and ports the volumes were initialised with
    phase: str = "starting"  # starting, up
    lease: Lease | None = None
    healthy_after_s: dict[str, float] = field(default_factory=dict)  # measured when it started

    def with_(self, **changes: Any) -> StackState:
        return replace(self, **changes)

    def to_json(self) -> str:
        doc = asdict(self)
        doc["version"] = STATE_VERSION
        return json.dumps(doc, indent=2)

    @classmethod
    def from_json(cls, text: str, source: Path) -> StackState:
        hint = f"remove {source} if its stack is gone (`python -m infra down --project NAME --volumes`)"
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict):
                raise TypeError(f"a JSON {type(doc).__name__}, not an object")
            if doc.get("version", STATE_VERSION) != STATE_VERSION:
                raise HarnessError(
                    f"stack state {source} has version {doc.get('version')!r}; this harness reads "
                    f"version {STATE_VERSION}",
                    f"use the harness that wrote it, or {hint}",
                )
            lease = doc.get("lease")
            return cls(
                project=doc["project"],
                profile=doc["profile"],
                profile_reason=doc.get("profile_reason", ""),
                files=tuple(doc["files"]),
                working_dir=doc["working_dir"],
                env=SecretEnv(doc["env"]),
                phase=doc.get("phase", "up"),
                lease=Lease(**lease) if lease else None,
                healthy_after_s={str(k): float(v) for k, v in doc.get("healthy_after_s", {}).items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HarnessError(f"stack state {source} is unreadable ({type(exc).__name__})", hint) from None


# Compose's rule for project names; checked before any state file is named, so `--project ../../x`
# can never read, write or delete a file outside the stacks dir.
_PROJECT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def check_project_name(project: str) -> str:
    """`project` when Compose would accept it as a project name, else one line saying why not."""
    if not _PROJECT_NAME.fullmatch(project):
        raise HarnessError(
            f"project name {project!r} is not one Compose accepts",
            "use lowercase letters, digits, dashes and underscores, starting with a letter or digit",
        )
    return project


def stacks_dir(state_dir: Path) -> Path:
    return state_dir / "stacks"


def state_path(state_dir: Path, project: str) -> Path:
    return stacks_dir(state_dir) / f"{check_project_name(project)}.json"


def passfile_path(state_dir: Path, project: str) -> Path:
    return stacks_dir(state_dir) / f"{check_project_name(project)}.pgpass"


def _write_private(path: Path, text: str) -> None:
    """Write atomically (a reader never sees half a file) and readable by the owner only; a failed
    write (a full disk) is one line and leaves no temporary file behind."""
    tmp: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _refuse_foreign_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp: mode 0600
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            write_text(handle, text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise HarnessError(
            f"cannot write stack state {path} ({exc.strerror or type(exc).__name__})",
            f"free space or fix permissions in {path.parent}",
        ) from None


def _refuse_foreign_dir(folder: Path) -> None:
    """The stacks dir holds credentials: a symlink planted there, or someone else's dir, is refused."""
    info = folder.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != os.getuid():
        raise HarnessError(
            f"stack state dir {folder} is a symlink or not yours; refused (it holds credentials)",
            f"remove {folder} and run again",
        )


def write_text(handle: IO[str], text: str) -> None:
    """The one write of every state file: a seam where tests inject a full disk (ENOSPC)."""
    handle.write(text)
    handle.flush()
    os.fsync(handle.fileno())


def save(state_dir: Path, state: StackState) -> Path:
    path = state_path(state_dir, state.project)
    _write_private(path, state.to_json())
    user, password = state.env.get("POSTGRES_USER"), state.env.get("POSTGRES_PASSWORD")
    if user and password:  # libpq reads the password from here, so no DSN ever carries it
        esc = [v.replace("\\", "\\\\").replace(":", "\\:") for v in (user, password)]
        _write_private(passfile_path(state_dir, state.project), f"*:*:*:{esc[0]}:{esc[1]}\n")
    return path


def load(state_dir: Path, project: str) -> StackState | None:
    path = state_path(state_dir, project)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:  # a directory, unreadable, not text
        raise HarnessError(
            f"stack state {path} is unreadable ({getattr(exc, 'strerror', None) or type(exc).__name__})",
            f"remove {path} if its stack is gone",
        ) from None
    return StackState.from_json(text, path)


def remove(state_dir: Path, project: str) -> None:
    state_path(state_dir, project).unlink(missing_ok=True)
    passfile_path(state_dir, project).unlink(missing_ok=True)


def saved_projects(state_dir: Path) -> list[str]:
    """Projects with a state file; files whose name Compose would refuse are not state of ours."""
    found = (p.stem for p in stacks_dir(state_dir).glob("*.json"))
    return sorted(p for p in found if _PROJECT_NAME.fullmatch(p))
