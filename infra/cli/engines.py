"""What `up` says about the engines it started: PostgreSQL's version and extensions, MinIO's health.

Judged by the same finding functions as the checks (services.postgres-version, -extensions,
services.minio-health), as warnings: `up`'s verdict is health and the startup budget, the contract's
checks fail in the suite. A service the compose file does not have is not reported (another
project's stack); one that cannot be queried is a failed result, never a silent pass.
"""

from __future__ import annotations

from typing import Any

from infra.probes.objectstore import HEALTH_PATHS, http_get, minio_health_findings
from infra.probes.postgres import (
    expected_major,
    extension_findings,
    extension_states,
    server_version,
    version_findings,
)
from infra.report import Report, Result
from infra.stack.endpoints import Endpoints
from infra.stack.lifecycle import Stack, StackStatus


def add_engine_results(report: Report, stack: Stack, status: StackStatus) -> None:
    """Probe the stack's PostgreSQL and MinIO (when it has them) and add results and facts."""
    endpoints = Endpoints(stack.env, status, stack.passfile)
    facts: dict[str, Any] = {}
    if "postgres" in status.services and "POSTGRES_USER" in stack.env:
        where = "service postgres"
        try:
            dsn = endpoints.postgres_dsn()
            _, banner = server_version(dsn)
            states = extension_states(dsn)
            facts["postgres"] = {"version": banner, "extensions": {s.name: s.version for s in states}}
            major = expected_major(status.profile)
            report.add_findings(version_findings.id, version_findings(dsn, major, where), severity="warning")
            report.add_findings(extension_findings.id, extension_findings(states, where), severity="warning")
        except Exception as exc:  # unreachable server: the report says so
            reason = stack.masked(" ".join(str(exc).split())[:200])
            message = f"cannot query PostgreSQL: {reason}"
            report.add(Result(version_findings.id, "failed", message, where, severity="warning"))
    if "minio" in status.services and "MINIO_ROOT_USER" in stack.env:
        where = "service minio"
        address = endpoints.s3()[0]
        facts["minio"] = {path: http_get(f"http://{address}{path}").status for path in HEALTH_PATHS}
        report.add_findings(
            minio_health_findings.id, minio_health_findings(address, where), severity="warning"
        )
    report.data["engines"] = facts
