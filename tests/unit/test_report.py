"""The shared report format: versioned, timestamped, results with check ids, secrets masked."""

import json

from infra.findings import Finding
from infra.report import REPORT_VERSION, Report, Result, markdown_summary


def test_report_envelope_and_status():
    report = Report("up", data={"profile": "offline"})
    report.add(Result("example.service-up", "passed", where="service redis", duration_s=1.5))
    doc = report.finish().to_dict()
    assert doc["report_version"] == REPORT_VERSION
    assert doc["kind"] == "up"
    assert doc["status"] == "passed"
    assert doc["started_at"].endswith("Z")
    assert doc["finished_at"] >= doc["started_at"]
    assert doc["results"][0] == {
        "check_id": "example.service-up",
        "status": "passed",
        "message": "",
        "where": "service redis",
        "duration_s": 1.5,
        "severity": "error",
        "location": None,
    }


def test_a_failed_result_fails_the_report():
    report = Report("audit")
    report.add_findings(
        "example.table-name", [Finding("example.table-name", "table orders", "singular", "plural")]
    )
    report.add_findings("example.primary-key", [])
    assert report.status == "failed"
    assert [r.status for r in report.results] == ["failed", "passed"]


def test_secrets_never_reach_the_json():
    report = Report("up", data={"dsn": "postgresql://u:s3cr3t-value@h/d"})
    report.add(Result("x", "failed", message="password s3cr3t-value refused"))
    text = report.to_json(["s3cr3t-value"])
    assert "s3cr3t-value" not in text
    assert json.loads(text)["dsn"] == "postgresql://u:***@h/d"


def test_markdown_summary_lists_failures_with_the_rule_explained():
    report = Report("audit")
    report.add(Result("example.table-name", "failed", "expected singular; found plural", "table orders"))
    text = markdown_summary(report.to_dict(), explain={"example.table-name": "Tables are named singular."})
    assert "## orderflow audit: failed" in text
    assert "| `example.table-name` | table orders | expected singular; found plural |" in text
    assert "Tables are named singular." in text
