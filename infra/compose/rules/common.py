"""What every Compose rule works on: the raw files as written, the service's kind, and a finding helper."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.compose.imageref import parse_image_ref
from infra.compose.model import ComposeModel
from infra.findings import Finding

# Image repositories (registry and tag removed) by the server they run: some rules are per server.
KINDS = {
    "postgres": "postgres",
    "pgvector/pgvector": "postgres",
    "postgis/postgis": "postgres",
    "timescale/timescaledb": "postgres",
    "redis": "redis",
    "redis/redis-stack-server": "redis",
    "valkey/valkey": "redis",
    "bitnami/redis": "redis",
    "minio/minio": "minio",
}
# Credentials that are not secret-named (`is_secret_name`) but must come from the env all the same.
CREDENTIAL_NAME = re.compile(r"(?:^|_)(?:USER|USERNAME|LOGIN)$")


@dataclass(frozen=True)
class RawFile:
    """One compose file as written: `${VAR:-default}` and literals are still visible here."""

    path: Path
    text: str
    doc: Mapping[str, Any]

    def services(self) -> Mapping[str, Mapping[str, Any]]:
        services = self.doc.get("services")
        return services if isinstance(services, Mapping) else {}


Rule = Callable[[list[RawFile], ComposeModel], list[Finding]]


def finding(check_id: str, where: str, expected: str, found: str, hint: str = "") -> Finding:
    return Finding(check_id, where, expected, found, hint)


def kind_of(image: str) -> str | None:
    """ "postgres", "redis", "minio" or None, from the image's repository; None for a bad reference."""
    try:
        return KINDS.get(parse_image_ref(image).repository)
    except ValueError:
        return None


def as_text(value: Any) -> str:
    """A command, entrypoint or health-check test (string or list form) as one line."""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)
