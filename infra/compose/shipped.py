"""What an image already provides: the HEALTHCHECK it ships.

A present image is inspected (`docker image inspect`); a `build:` service's Dockerfile is read (the
stage built: `target:`, else the last, following `FROM <earlier stage>`); other images are looked up
in a maintained table of well-known images (each entry checked in the upstream Dockerfile).
Parsing is pure; `image_healthchecks` is the one function that asks the engine.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from infra.compose.model import ComposeModel, Service
from infra.compose.rules.common import SHIPS_HEALTHCHECK, repository

_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", re.IGNORECASE)
_HEALTHCHECK = re.compile(r"^\s*HEALTHCHECK\s+(\S+)", re.IGNORECASE)


def dockerfile_healthcheck(text: str, target: str | None = None) -> bool:
    """Whether the stage built from this Dockerfile (`target`, else the last) has a HEALTHCHECK that
    runs: its own or one inherited from an earlier stage it starts FROM; `HEALTHCHECK NONE` disables."""
    stages: dict[str, bool | None] = {}
    current: bool | None = None
    name = ""
    for line in text.splitlines():
        start = _FROM.match(line)
        if start:
            current = stages.get(start.group(1).lower())  # FROM an earlier stage inherits its setting
            name = (start.group(2) or f"#{len(stages)}").lower()
        check = _HEALTHCHECK.match(line)
        if check:
            current = check.group(1).upper() != "NONE"
        if name:
            stages[name] = current
    if not stages:
        return False
    chosen = stages.get(target.lower()) if target else list(stages.values())[-1]
    return bool(chosen)


def local_name(image: str) -> str:
    """The name `docker image ls` shows for a reference: no docker.io/library/, `:latest` when untagged."""
    name = re.sub(r"^(?:docker\.io/)?(?:library/)?", "", image) if image.startswith("docker.io/") else image
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last or "@" in name else f"{name}:latest"


def _present() -> set[str] | None:
    try:
        proc = subprocess.run(
            ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(proc.stdout.split()) if proc.returncode == 0 else None


def image_healthchecks(images: Iterable[str]) -> dict[str, bool]:
    """Image -> whether it ships a HEALTHCHECK, for the images present in the engine (others absent;
    no engine: none)."""
    found: dict[str, bool] = {}
    present = _present()
    if present is None:
        return found  # no engine to ask: the table and Dockerfiles still answer
    for image in dict.fromkeys(i for i in images if i and ("@" in i or local_name(i) in present)):
        try:
            proc = subprocess.run(
                ["docker", "image", "inspect", "--format", "{{json .Config.Healthcheck}}", image],
                capture_output=True,
                text=True,
                check=False,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired):
            return found  # no engine to ask: the table and Dockerfiles still answer
        if proc.returncode == 0:
            config = json.loads(proc.stdout.strip() or "null") or {}
            test = config.get("Test") or []
            found[image] = bool(test) and test[0] != "NONE"
    return found


def _dockerfile(s: Service, project_dir: Path) -> Path | None:
    if s.build_context is None or re.match(r"^[a-z]+://", s.build_context):
        return None
    context = project_dir / s.build_context
    return context / (s.dockerfile or "Dockerfile")


def shipped_healthchecks(model: ComposeModel, project_dir: Path) -> dict[str, str]:
    """Service -> where its image's HEALTHCHECK comes from, for services that run one."""
    inspected = image_healthchecks(s.image for s in model.services.values() if not s.build_context)
    shipped: dict[str, str] = {}
    for s in model.services.values():
        dockerfile = _dockerfile(s, project_dir)
        if dockerfile is not None:
            if dockerfile.is_file() and dockerfile_healthcheck(dockerfile.read_text("utf-8"), s.build_target):
                shipped[s.name] = f"HEALTHCHECK in {dockerfile.name} of its build context"
        elif inspected.get(s.image):
            shipped[s.name] = f"{s.image} ships a HEALTHCHECK (docker image inspect)"
        elif s.image not in inspected and repository(s.image) in SHIPS_HEALTHCHECK:
            shipped[s.name] = f"{repository(s.image)} ships a HEALTHCHECK (known image)"
    return shipped
