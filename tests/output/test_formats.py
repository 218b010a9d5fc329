"""CI-native output without a live stack: every `--json` is the shared report (validated with
jsonschema against infra/report.schema.json), `--format sarif` validates against the OASIS SARIF
2.1.0 schema, `--format github` annotations name file and line, and findings point at the line of the
key they judge."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.cli.checks import Coverage, checks_report, matrix
from infra.cli.stack import failed_report, up_report
from infra.compose.rules import hardening, layout, pinning
from infra.compose.rules.common import ComposeFinding, RawFile
from infra.compose.rules.secrets import rule_no_default_secrets
from infra.compose.source import read_compose_yaml
from infra.probes.stack import health_findings
from infra.stack.lifecycle import ServiceStatus, StackStatus
from tests.output.formats import REPO, assert_report, assert_sarif

SCENARIOS = REPO / "tests" / "compose" / "scenarios"
SECRET = rule_no_default_secrets.id


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def default_password(tmp_path: Path) -> Path:
    """A copy of a scenario whose POSTGRES_PASSWORD has a default (an error under every policy)."""
    folder = tmp_path / "project"
    shutil.copytree(SCENARIOS / "default-password", folder)
    return folder / "docker-compose.yml"


def test_lint_json_is_the_shared_report_with_the_key_line(default_password):
    proc = cli("lint", str(default_password), "--policy", "service", "--json", cwd=default_password.parent)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert_report(doc)
    assert doc["kind"] == "lint" and doc["status"] == "failed"
    secret = next(r for r in doc["results"] if r["check_id"] == SECRET)
    assert secret["location"] == {
        "path": "docker-compose.yml",
        "line": line_of(default_password, "POSTGRES_PASSWORD:"),
        "column": 7,
    }
    assert doc["findings"][0]["location"]["path"] == "docker-compose.yml"


def test_lint_sarif_validates_and_locates(default_password):
    proc = cli("lint", str(default_password), "--policy", "service", "--format", "sarif")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert_sarif(doc)
    run = doc["runs"][0]
    assert run["tool"]["driver"]["name"] == "orderflow-infra"
    result = next(r for r in run["results"] if r["ruleId"] == SECRET)
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("project/docker-compose.yml")
    assert physical["region"]["startLine"] == line_of(default_password, "POSTGRES_PASSWORD:")
    rule = run["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert rule["id"] == SECRET and rule["fullDescription"]["text"]
    assert "hunter2" not in proc.stdout, "SARIF must not quote the secret default"


def test_lint_github_annotations_name_file_and_line(default_password):
    proc = cli(
        "lint",
        str(default_password),
        "--policy",
        "service",
        "--format",
        "github",
        cwd=default_password.parent,
    )
    assert proc.returncode == 1
    line = line_of(default_password, "POSTGRES_PASSWORD:")
    assert f"::error file=docker-compose.yml,line={line},col=7,title={SECRET}::" in proc.stdout
    assert all(
        re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+", a) for a in proc.stdout.splitlines()
    )


def test_a_clean_lint_gives_an_empty_valid_sarif_and_exit_0(tmp_path):
    from tests.compose.test_lint_cli import outside_copy  # noqa: PLC0415 - its env file for the scenario

    folder = outside_copy(tmp_path, "valid")
    valid = folder / "docker-compose.yml"
    proc = cli("lint", str(valid), "--env-file", str(folder / "stack.env"), "--format", "sarif")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert_sarif(doc)
    assert doc["runs"][0]["results"] == []


def test_lint_of_several_files_is_one_report(default_password):
    valid = SCENARIOS / "valid" / "docker-compose.yml"
    proc = cli("lint", str(valid), str(default_password), "--policy", "service", "--json")
    doc = json.loads(proc.stdout)
    assert_report(doc)
    assert len(doc["linted"]) == 2 and proc.returncode == 1


def test_an_empty_roundtrip_report_validates():
    """No new revisions since HEAD: nothing to round-trip, no database needed; JSON and SARIF valid."""
    proc = cli("roundtrip", "--base", "HEAD", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert_report(doc)
    assert doc["kind"] == "roundtrip" and doc["revisions"] == []
    sarif = cli("roundtrip", "--base", "HEAD", "--format", "sarif")
    assert_sarif(json.loads(sarif.stdout))


def test_checks_report_validates():
    coverage = Coverage.of({"tests/x.py::t": {"check": [health_findings.id], "negative": [], "markers": []}})
    doc = checks_report(rows := matrix(coverage), [r.id for r in rows if not r.negative_cases]).to_dict()
    assert_report(doc)
    assert doc["kind"] == "checks" and doc["status"] == "failed"


def test_up_reports_validate():
    healthy = StackStatus(
        "offline", "p", 1.5, {"postgres": ServiceStatus("healthy", 1.5, {"5432/tcp": "127.0.0.1:5433"})}
    )
    assert_report(up_report(healthy, ["postgres"], 60.0).to_dict())
    assert_report(failed_report("p", "offline", "port 5433 is taken").to_dict())


def test_status_of_a_stack_that_is_not_running_is_a_valid_report():
    proc = cli("status", "--project", "orderflow-test-never-started", "--json")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert_report(doc)
    assert doc["kind"] == "status" and doc["services"] == {} and doc["status"] == "failed"


def test_version():
    proc = cli("--version")
    assert proc.returncode == 0 and re.fullmatch(r"orderflow-infra \d+\.\d+\.\d+\S*\n", proc.stdout)


ALIASED = """\
x-defaults: &defaults
  logging: {driver: json-file}
  image: redis:7
services:
  a: &a
    <<: *defaults
    environment:
      - PASSWORD=x
    command: ["redis-server", "--requirepass", "x"]
  b: *a
  c: *a
"""


def finding(check_id: str, where: str, service: str | None = None) -> ComposeFinding:
    return ComposeFinding(check_id, where, "", "", service=service or where.split()[1].rstrip(","))


@pytest.mark.parametrize(
    ("check_id", "where", "line", "column"),
    [
        (
            hardening.rule_log_rotation.id,
            "service a",
            2,
            3,
        ),  # inherited through `<<`: where the anchor has it
        (SECRET, "service a, environment.PASSWORD in aliased.yml", 8, 9),
        (SECRET, "service a, command.2", 9, 48),
        (pinning.rule_image_pinned.id, "service c", 3, 3),
        (hardening.rule_memory_limit.id, "service b", 10, 3),  # nothing written: the service's own key
    ],
)
def test_compose_locations_follow_aliases_without_copies(tmp_path, check_id, where, line, column):
    from infra.compose.locate import locate  # noqa: PLC0415 - the unit under test

    path = tmp_path / "aliased.yml"
    path.write_text(ALIASED)
    raw = [RawFile(path, *read_compose_yaml(path))]
    location = locate(raw, finding(check_id, where))
    assert location is not None and (location.line, location.column) == (line, column), location


def test_a_top_level_finding_points_at_its_key(tmp_path):
    from infra.compose.locate import locate  # noqa: PLC0415

    path = tmp_path / "compose.yml"
    path.write_text("services:\n  a:\n    image: redis:7\nversion: '3'\n")
    raw = [RawFile(path, *read_compose_yaml(path))]
    location = locate(raw, ComposeFinding(layout.rule_no_version_key.id, str(path), "", ""))
    assert location is not None and location.line == 4
