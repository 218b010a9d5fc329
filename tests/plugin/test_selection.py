"""The checks run apart from the harness's own tests, on the stack (or server) they need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from infra.compose.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.compose
@pytest.mark.parametrize("form", ["space", "equals"])
def test_naming_a_compose_file_selects_the_compose_checks_only(form: str) -> None:
    """`pytest -m compose --orderflow-compose-file F`: the compose checks on F, not tests/."""
    compose = str(ROOT / "docker-compose.yml")
    option = (
        ["--orderflow-compose-file", compose] if form == "space" else [f"--orderflow-compose-file={compose}"]
    )
    proc = _pytest("-m", "compose", "--collect-only", "-q", *option)
    ids = [line for line in proc.stdout.splitlines() if "::" in line]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(ids) == len(RULES) and all(i.startswith("checks/compose/") for i in ids), ids
    explicit = _pytest("-m", "compose", "--collect-only", "-q", *option, "tests/plugin/test_selection.py")
    assert "tests/plugin/test_selection.py::" in explicit.stdout, explicit.stdout  # asked for: kept


@pytest.mark.infra
@pytest.mark.migrations
def test_the_migration_checks_use_a_server_the_user_gives(live_stack) -> None:
    """`--orderflow-database-url`: the checks make their databases there and start no stack."""
    url = live_stack.endpoints.postgres_url()  # the password is in a passfile, not in the URL
    proc = _pytest("checks/migrations", "-k", "upgrade_from_empty or single_head", "-rA",
                   "--orderflow-database-url", url, "--orderflow-profile", "upstream")  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "2 passed" in out, out[-3000:]
