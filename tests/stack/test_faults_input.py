"""Fault tests, bad input (issue 9, case 8): each is one line with a hint, never a traceback."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file
from infra.compose.model import ComposeFiles
from infra.errors import HarnessError
from infra.stack.isolation import free_port, isolated_project_name
from infra.stack.lifecycle import Stack
from tests.stack.checkout import REPO, Checkout, leftovers, make_checkout

SCHEMA = json.loads((REPO / "infra" / "report.schema.json").read_text())


def assert_valid_report(doc: dict[str, object]) -> None:
    """The parts of infra/report.schema.json a failing `up` touches (no jsonschema dependency)."""
    assert set(SCHEMA["required"]) <= set(doc), doc
    assert doc["status"] in SCHEMA["properties"]["status"]["enum"]
    assert doc["kind"] in SCHEMA["properties"]["kind"]["enum"]
    if "profile" in doc:
        assert doc["profile"] in SCHEMA["properties"]["profile"]["enum"]
    item = SCHEMA["properties"]["results"]["items"]
    for result in doc["results"]:  # type: ignore[attr-defined]
        assert (
            set(result) == set(item["required"]) and result["status"] in item["properties"]["status"]["enum"]
        )


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture
def checkout(tmp_path, checkouts, images) -> Checkout:
    c = make_checkout(tmp_path / "c", "healthy", {"SCENARIO_IMAGE": images["redis"], "OK_PORT": "1"})
    checkouts.append(c)
    return c


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"OK_PORT=1\nSCENARIO_IMAGE=caf\xe9\n", r"\.env:2: not UTF-8 \(byte 0xe9 at offset \d+\)"),
        (b"BIG=" + b"x" * (129 * 1024) + b"\n", r"\.env is 129 KiB; env files over 128 KiB are refused"),
    ],
    ids=["non-utf8", "oversized"],
)
def test_bad_env_file_is_one_line(checkout, content, expected):
    (checkout.root / ".env").write_bytes(content)
    line = one_line_error(checkout.run("up", "--project", checkout.project(), "--profile", "upstream"))
    assert re.search(expected, line), line
    assert "Hint:" in line


def test_unreadable_env_file_is_one_line(tmp_path):
    with pytest.raises(HarnessError, match=r"^env file .* cannot be read \(Is a directory\)\. Hint: check"):
        read_env_file(tmp_path)
    if os.geteuid() != 0:  # root reads a 0000 file anyway
        locked = tmp_path / ".env"
        locked.write_text("A=1\n")
        locked.chmod(0)
        with pytest.raises(HarnessError, match="cannot be read"):
            read_env_file(locked)


@pytest.mark.infra
def test_missing_image_names_service_and_image_and_up_json_still_reports(checkout):
    checkout.set_env(SCENARIO_IMAGE="orderflow/does-not-exist:1")
    project = checkout.project()
    proc = checkout.run("up", "--isolated", "--project", project, "--profile", "upstream", "--json")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert_valid_report(report)
    assert report["status"] == "failed"
    assert "image missing for service ok (orderflow/does-not-exist:1)" in report["cause"]
    assert leftovers(project) == [] and checkout.state(project) is None


@pytest.mark.infra
def test_exited_container_status_says_exit_code_and_last_stderr_line(tmp_path, checkouts, images):
    c = make_checkout(tmp_path / "exits", "exits", {"SCENARIO_IMAGE": images["redis"]})
    checkouts.append(c)
    project = c.project()
    subprocess.run(
        ["docker", "compose", "-p", project, "-f", str(c.compose_file), "up", "--detach"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["docker", "wait", f"{project}-quits-1"], check=True, capture_output=True, timeout=30)
    status = c.run("status", "--project", project)
    assert status.returncode == 1
    assert "quits      exited (exit 3): fatal: cannot open /data/config" in status.stdout


@pytest.mark.infra
def test_doctor_runs_compose_config(checkout):
    text = checkout.compose_file.read_text().replace("    command:", "    comand_typo: 1\n    command:")
    checkout.compose_file.write_text(text)
    proc = checkout.run("doctor")
    assert proc.returncode == 1
    fails = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 1 and "docker compose cannot read" in fails[0] and "comand_typo" in fails[0], (
        proc.stdout
    )


@pytest.mark.infra
def test_diagnostics_survive_containers_removed_meanwhile(images):
    """An engine 404/409 while reading diagnostics (a container removed meanwhile) is one line in them."""
    files = ComposeFiles((Path(__file__).parent / "scenarios" / "healthy" / "docker-compose.yml",))
    stack = Stack(
        files, {"SCENARIO_IMAGE": images["redis"], "OK_PORT": str(free_port())}, isolated_project_name()
    )
    stack.compose("up", "--detach")
    try:
        stale = stack.containers()
        stack.down()

        class Stale(Stack):
            def containers(self) -> dict[str, object]:
                return stale

        text = Stale(stack.files, stack.env, stack.project).diagnostics()
        assert "--- ok: gone while reading its diagnostics (404)" in text
    finally:
        stack.down()
