"""What makes a test stack its own: a project name, free host ports, generated secrets."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Mapping
from pathlib import Path

from infra.compose.envfile import VariableRef, write_env_file
from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.masking import is_secret_name


def isolated_project_name(prefix: str = "orderflow-test") -> str:
    """A Compose project name of its own, so a test stack never collides with a developer's."""
    return f"{prefix}-{secrets.token_hex(4)}"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port the kernel reports free on `host` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def generated_secret() -> str:
    return secrets.token_urlsafe(24)


def complete_env(
    template: Mapping[str, str], needed: Mapping[str, VariableRef], *, fresh_ports: bool
) -> dict[str, str]:
    """Fill a template: empty secrets get generated values; with fresh_ports every *_PORT gets a free port."""
    values = dict(template)
    for name in needed:
        values.setdefault(name, "")
    for name in list(values):
        if fresh_ports and name.endswith("_PORT"):
            values[name] = str(free_port())
        elif not values[name] and is_secret_name(name):
            values[name] = generated_secret()
    return values


def isolated_env(config: HarnessConfig) -> dict[str, str]:
    """Values for an isolated test stack: the env file's, blanks filled, every port fresh."""
    return complete_env(config.template_values(), config.needed_variables(), fresh_ports=True)


def init_env_file(compose_file: Path, force: bool = False) -> Path:
    """Write `.env` beside the compose file from `.env.example`: generated credentials, the example's ports.

    Why here and not in the CLI: `up` writes it too when a developer has none, without calling a handler.
    """
    target = compose_file.parent / ".env"
    if target.exists() and not force:
        raise HarnessError(f"{target} exists; not overwriting it", "pass --force to replace it")
    template = HarnessConfig(compose_file, compose_file.parent / ".env.example", True)
    values = isolated_env(template)
    for name, value in template.template_values().items():  # keep the example's ports for a dev stack
        if name.endswith("_PORT") and value:
            values[name] = value
    write_env_file(target, values, header="Written by `python -m infra env init`: generated credentials.")
    return target
