"""`up --json` says what the engines are: PostgreSQL 16.x with pg_trgm and vector, MinIO's own
health endpoints (issue 19), judged by the checks' finding functions, as warnings."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from infra.findings import Finding
from infra.probes.postgres import version_findings
from infra.report import Report
from infra.stack.isolation import isolated_project_name
from tests.output.test_formats import assert_report

pytestmark = [pytest.mark.infra, pytest.mark.slow]


def _infra(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra", *args], capture_output=True, text=True, timeout=600, check=False
    )


def test_up_json_reports_postgres_16_its_extensions_and_minio_health():
    project = isolated_project_name()
    try:
        up = _infra("up", "--isolated", "--project", project, "--json")
        assert up.returncode == 0, up.stderr
        report = json.loads(up.stdout)
        assert_report(report)
        engines = report["engines"]
        assert engines["postgres"]["version"].startswith("PostgreSQL 16.")
        assert set(engines["postgres"]["extensions"]) == {"pg_trgm", "vector"}
        assert all(engines["postgres"]["extensions"].values())
        assert engines["minio"] == {"/minio/health/live": 200, "/minio/health/ready": 200}
        judged = {r["check_id"]: r["status"] for r in report["results"]}
        assert judged[version_findings.id] == "passed"
    finally:
        _infra("down", "--project", project, "--volumes")


def test_an_engine_finding_is_a_warning_that_does_not_fail_up():
    """How engines.py adds the contract's findings to `up`'s report."""
    report = Report("up")
    wrong = Finding(version_findings.id, "service postgres", "PostgreSQL 16.x", "PostgreSQL 17.2")
    report.add_findings(version_findings.id, [wrong], severity="warning")
    (result,) = report.results
    assert (result.status, result.severity) == ("failed", "warning")
    assert "PostgreSQL 17.2" in result.message
    assert report.status == "passed"
