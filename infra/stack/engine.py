"""Is there a Docker engine and a Compose v2 CLI? One-line answers with a hint when not."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

from infra.environ import run_bounded
from infra.errors import HarnessError

BOOTSTRAP_HINT = (
    "run `sudo bash infra/stack/bootstrap-engine.sh` (Debian, as root) or install Docker Engine + Compose v2"
)


@dataclass(frozen=True)
class EngineInfo:
    server_version: str
    api_version: str
    compose_version: str


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    try:
        return run_bounded(args, timeout=30)
    except FileNotFoundError:
        raise HarnessError(f"`{args[0]}` is not installed", BOOTSTRAP_HINT) from None
    except subprocess.TimeoutExpired:
        raise HarnessError(f"`{' '.join(args)}` did not answer within 30s", BOOTSTRAP_HINT) from None


def compose_version() -> str:
    proc = _run("docker", "compose", "version", "--short")
    version = proc.stdout.strip().lstrip("v")
    if proc.returncode != 0 or not re.match(r"2\.", version):
        found = version or "no `docker compose` plugin"
        raise HarnessError(f"Compose v2 is required, found {found}", BOOTSTRAP_HINT)
    return version


def engine_info() -> EngineInfo:
    """Versions of the engine and Compose; HarnessError when either is missing."""
    proc = _run("docker", "version", "--format", "{{.Server.Version}} {{.Server.APIVersion}}")
    if proc.returncode != 0 or not proc.stdout.strip():
        reason = (proc.stderr.strip().splitlines() or ["no answer"])[-1]
        raise HarnessError(f"no Docker engine answers ({reason})", BOOTSTRAP_HINT)
    server, api = proc.stdout.split()
    return EngineInfo(server_version=server, api_version=api, compose_version=compose_version())
