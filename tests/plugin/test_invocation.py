"""The harness is a pytest plugin: its options exist whatever rootdir pytest picks, so a compose file
outside the repository can be judged with `--compose-file PATH` as well as `--compose-file=PATH`."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.compose.rules import RULES
from infra.compose.rules.layout import rule_name_set

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.compose]


def _run_compose_checks(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "checks/compose", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's compose file and env template, copied to a folder outside the repository."""
    folder = tmp_path_factory.mktemp("elsewhere")
    assert not folder.is_relative_to(ROOT)
    shutil.copy(ROOT / "docker-compose.yml", folder / "docker-compose.yml")
    shutil.copy(ROOT / ".env.example", folder / ".env")
    return folder


@pytest.mark.parametrize("form", ["space", "equals"])
def test_options_with_paths_outside_the_repository(elsewhere: Path, form: str) -> None:
    compose, env = elsewhere / "docker-compose.yml", elsewhere / ".env"
    if form == "space":
        options = ["--orderflow-compose-file", str(compose), "--orderflow-env-file", str(env)]
    else:
        options = [f"--orderflow-compose-file={compose}", f"--orderflow-env-file={env}"]
    proc = _run_compose_checks(*options)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(rf"\b{len(RULES)} passed\b", out), out
    assert "unrecognized arguments" not in out and "PytestUnknownMarkWarning" not in out


def test_a_broken_file_outside_the_repository_fails(elsewhere: Path) -> None:
    """The copied file is really the one judged: break it and its check fails (under dev-stack, which
    the file's folder does not choose: `--orderflow-policy` does)."""
    compose = elsewhere / "docker-compose.yml"
    compose.write_text(compose.read_text().replace("\nname:", "\n# name:", 1))
    options = ["--orderflow-compose-file", str(compose), "--orderflow-env-file", str(elsewhere / ".env")]
    assert _run_compose_checks(*options).returncode == 0, "service policy: `name:` is info only"
    proc = _run_compose_checks(*options, "--orderflow-policy", "dev-stack")
    assert proc.returncode == 1, proc.stdout
    assert f"[{rule_name_set.id}]" in proc.stdout
