"""PostgreSQL specifics (for every service that runs it, whoever built the image)."""

from __future__ import annotations

import re

from infra.compose.model import ComposeModel
from infra.compose.rules.common import RawFile, finding, service_kind
from infra.findings import Check, Finding, produces

MIN_SHM_BYTES = 128 * 1024**2
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
# Environment variables that set trust authentication: the postgres image, pgbouncer images.
_TRUST_VARIABLES = ("POSTGRES_HOST_AUTH_METHOD", "AUTH_TYPE", "PGBOUNCER_AUTH_TYPE")
_TRUST_ARGS = re.compile(r"--auth(?:-host|-local)?[= ]trust\b")


def size_bytes(text: str) -> int:
    """Bytes in a Compose size ("128mb", "1g", "67108864"); ValueError names the bad value."""
    match = _SIZE.match(str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (expected e.g. 128m, 1g)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


@produces("compose.postgres-shm")
def rule_postgres_shm(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """PostgreSQL gets at least 128 MB of /dev/shm.

    Why: Docker gives a container 64 MB of /dev/shm; PostgreSQL's parallel queries and large sorts
    allocate dynamic shared memory there and fail with "could not resize shared memory segment".
    """
    findings = []
    for s in model.services.values():
        if service_kind(s) != "postgres" or s.ipc in ("host", "shareable"):
            continue
        try:
            enough = s.shm_size is not None and size_bytes(s.shm_size) >= MIN_SHM_BYTES
        except ValueError as exc:
            found, enough = str(exc), False
        else:
            found = f"shm_size: {s.shm_size}" if s.shm_size else "Docker's default 64 MB /dev/shm"
        if not enough:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}",
                    "shm_size of at least 128m",
                    found,
                    "add `shm_size: 256m` (or more for parallel queries)",
                )
            )
    return findings


@produces("compose.no-trust-auth")
def rule_no_trust_auth(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No trust authentication for PostgreSQL or its pooler.

    Why: With trust authentication anyone who reaches the port is any user, superuser included, no
    password asked: one published port away from an open database.
    """
    findings = []
    for s in model.services.values():
        env = s.environment
        trusted = [k for k in _TRUST_VARIABLES if env.get(k, "").strip().lower() == "trust"]
        if _TRUST_ARGS.search(env.get("POSTGRES_INITDB_ARGS", "")):
            trusted.append("POSTGRES_INITDB_ARGS")
        for key in trusted:
            findings.append(
                finding(
                    check.id,
                    f"service {s.name}, environment {key}",
                    "password authentication (scram-sha-256)",
                    f"{key} sets trust authentication",
                    "remove it and set POSTGRES_PASSWORD from ${POSTGRES_PASSWORD:?...}",
                )
            )
    return findings
