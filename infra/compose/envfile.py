"""Env files: parse them, find what a compose file needs, write them.

All pure except `read_env_file` and `write_env_file`. Secret values never appear in an error message.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.errors import HarnessError

_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}, ${NAME?err}, ${NAME:+alt}; $$ escapes.
_REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")


def parse_env_text(text: str, source: str = "<env>") -> dict[str, str]:
    """Parse dotenv text (KEY=VALUE, comments, optional quotes); errors name the file and line."""
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if not match:
            raise HarnessError(f"{source}:{number}: not a KEY=VALUE line", "fix or remove that line")
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[name] = value
    return values


MAX_ENV_FILE_BYTES = 128 * 1024


def read_env_file(path: Path) -> dict[str, str]:
    """Read an env file; every way it can be unusable is one line (content never quoted: secrets).
    Opened non-blocking and its type checked before any read: a FIFO would block the read forever."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise HarnessError(f"env file {path} does not exist", "copy .env.example to .env") from None
    except OSError as exc:
        raise HarnessError(
            f"env file {path} cannot be read ({exc.strerror or type(exc).__name__})",
            "check its permissions (`ls -l`); it must be a readable file",
        ) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENV_FILE_BYTES:
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise HarnessError(
                f"env file {path} cannot be read (Is a directory)",
                "check its permissions (`ls -l`); it must be a readable file",
            )
        if not stat.S_ISREG(info.st_mode):
            raise HarnessError(
                f"env file {path} is not a regular file (a FIFO or device); refused", "point it at a file"
            )
        raise HarnessError(
            f"env file {path} is {info.st_size // 1024} KiB; env files over 128 KiB are refused",
            "an env file holds short KEY=VALUE lines; move large values into files",
        )
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read(MAX_ENV_FILE_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise HarnessError(
            f"env file {path}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "save the file as UTF-8",
        ) from None
    return parse_env_text(text, str(path))


@dataclass(frozen=True)
class VariableRef:
    """How a compose file uses a variable: `${NAME:?msg}` is required, `${NAME:-x}` has a default."""

    name: str
    required: bool
    default: str | None


def referenced_variables(compose_text: str) -> dict[str, VariableRef]:
    """Every `${...}` reference in raw compose text, by variable name."""
    refs: dict[str, VariableRef] = {}
    for name, op, arg in _REFERENCE.findall(compose_text):
        ref = VariableRef(name, required="?" in op, default=arg if "-" in op else None)
        previous = refs.get(name)
        if previous is None or (ref.required and not previous.required):
            refs[name] = ref
    return refs


def missing_variables(needed: Iterable[VariableRef], values: Mapping[str, str]) -> list[str]:
    """Names that are required but absent or empty in `values`."""
    return sorted(r.name for r in needed if r.required and not values.get(r.name))


def write_env_file(path: Path, values: Mapping[str, str], header: str = "") -> None:
    """Write values as dotenv, readable by the owner only (it holds credentials)."""
    lines = [f"# {line}" for line in header.splitlines()] + [f"{k}={v}" for k, v in values.items()]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
