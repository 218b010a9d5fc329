"""The offline override fitted to a compose file: only its services that OrderFlow's offline images stand
in for, matched by the image they run (any service name), never a service the file does not have.

OrderFlow's own file gets infra/stack/compose.offline.yml as it is. Another file gets a generated copy
holding the blocks of the services it matched, renamed to its service names, written once per content
under this user's private directory (content-addressed, so concurrent runs agree and nothing is rewritten).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infra.stack.ownership import private_dir

OFFLINE_OVERRIDE = Path(__file__).resolve().parent / "compose.offline.yml"
# Upstream image repositories (any tag) each block of the override stands in for.
STANDS_IN_FOR: Mapping[str, tuple[str, ...]] = {
    "postgres": ("pgvector/pgvector", "postgres", "library/postgres", "docker.io/library/postgres"),
    "redis": ("redis", "library/redis", "docker.io/library/redis"),
    "minio": ("quay.io/minio/minio", "minio/minio", "docker.io/minio/minio"),
}


def repository(image: str) -> str:
    """`registry/name:tag@digest` -> `registry/name` (pure)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0]


def matches(images: Mapping[str, str]) -> dict[str, str]:
    """{service of the file: block of the override} for each service whose image a block stands in for."""
    found = {}
    for service, image in images.items():
        for block, repositories in STANDS_IN_FOR.items():
            if repository(image) in repositories:
                found[service] = block
    return found


@dataclass(frozen=True)
class _Tagged:
    """A YAML node with a Compose tag (`!reset`, `!override`), kept as written."""

    node: yaml.Node


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


_Loader.add_multi_constructor("!", lambda loader, suffix, node: _Tagged(node))
_Dumper.add_representer(_Tagged, lambda dumper, tagged: tagged.node)


def fitted(images: Mapping[str, str], override: Path = OFFLINE_OVERRIDE) -> tuple[Path | None, str]:
    """The override file for a compose file's services (service -> image), or None when no service
    matched; and what was substituted, for the profile's reason."""
    matched = matches(images)
    if not matched:
        return None, "no service runs an image the offline profile stands in for"
    said = ", ".join(f"{service} ({images[service]})" for service in sorted(matched))
    if all(service == block for service, block in matched.items()) and len(matched) == len(STANDS_IN_FOR):
        return override, f"offline images for {said}"
    doc: dict[str, Any] = yaml.load(override.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    blocks = doc.get("services", {})
    fitted_blocks = {service: blocks[block] for service, block in sorted(matched.items()) if block in blocks}
    text = yaml.dump({"services": fitted_blocks}, Dumper=_Dumper, sort_keys=False)
    # This user's private directory: compose content in a shared /tmp one could be planted by anyone.
    folder = private_dir("orderflow-offline-overrides", "offline override directory")
    path = folder / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.yml"
    if not path.is_file():  # written aside, then renamed into place: a concurrent reader sees all or nothing
        with tempfile.NamedTemporaryFile(
            "w", dir=folder, suffix=".part", delete=False, encoding="utf-8"
        ) as out:
            out.write(f"# generated from {override} for: {said}\n{text}")
        Path(out.name).replace(path)
    return path, f"offline images for {said}"
