"""Issue 16, "Done when" 1: another project installs the built wheel and one flag runs the packaged
compose and migration checks on its own files, finding the problem planted in each; a plain pytest
there is unchanged, with pytest-profiling (`--profile`) and PyPI's `schema` installed beside it.

Real parts: the wheel is built from this checkout, installed with pip into a fresh virtualenv of a
temporary project (tests/plugin/other_project, made a git repository), and run in a subprocess; the
migration checks start PostgreSQL only, from that project's compose file (offline image by `auto`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from infra.compose.rules.exposure import rule_no_privileged
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Path(__file__).resolve().parent / "other_project"
BESIDE = ("pytest-profiling", "schema")  # plugins and packages a real project may have installed
EXTRAS = "migrations"  # hypothesis, for the migration checks' generated rows
HEAVY = ("infra", "pytest_orderflow.harness", "docker", "sqlalchemy", "alembic", "psycopg", "testinfra")
PROBE = f"""
import signal, sys

def test_nothing_loaded_or_handled():
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    loaded = [m for m in {HEAVY!r} if m in sys.modules]
    assert not loaded, loaded
"""
pytestmark = [pytest.mark.slow, pytest.mark.infra, pytest.mark.compose, pytest.mark.migrations]


def _run(*cmd: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ok(*cmd: str | Path, cwd: Path, timeout: float = 300) -> str:
    proc = _run(*cmd, cwd=cwd, timeout=timeout)
    assert proc.returncode == 0, (
        f"{cmd}: exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the sources (a build leaves build/ and egg-info behind)."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for folder in ("infra", "pytest_orderflow", "checks"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    build = (sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, src)
    _ok(*build, cwd=src)
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_carries_harness_checks_and_data_but_not_schema(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "pytest_orderflow/checks/compose/test_compose_static.py" in names
    assert "pytest_orderflow/checks/compose/conftest.py" in names
    assert "infra/stack/compose.offline.yml" in names and "infra/report.schema.json" in names
    assert any(n.startswith("infra/stack/image_contexts/postgres/") for n in names)
    assert not [n for n in names if n.split("/")[0] in ("schema", "checks", "tests", "bench")]


@pytest.fixture(scope="module")
def project(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the temporary project, its virtualenv's python) with the wheel and the neighbours installed."""
    folder = tmp_path_factory.mktemp("shop")
    assert not folder.is_relative_to(ROOT)
    shutil.copytree(PROJECT, folder, dirs_exist_ok=True)
    (folder / "env.example").rename(folder / ".env.example")
    (folder / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n')
    (folder / "test_probe.py").write_text(PROBE)
    git = ("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid")
    _ok(*git, "init", "-q", cwd=folder)
    _ok(*git, "add", ".", cwd=folder)
    _ok(*git, "commit", "-q", "-m", "shop", cwd=folder)
    _ok(sys.executable, "-m", "venv", ".venv", cwd=folder)
    python = folder / ".venv" / "bin" / "python"
    pip = (
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "-c",
        ROOT / "requirements.lock",
    )
    _ok(*pip, f"{wheel}[{EXTRAS}]", *BESIDE, cwd=folder, timeout=600)
    return folder, python


def _failed(junit: Path) -> set[str]:
    cases = ET.parse(junit).getroot().iter("testcase")  # noqa: S314 - written by the run above
    return {f"{c.get('name')}" for c in cases if c.find("failure") is not None or c.find("error") is not None}


def test_one_flag_finds_the_planted_problems(project: tuple[Path, Path]) -> None:
    folder, python = project
    junit = folder / "junit.xml"
    proc = _run(
        python, "-m", "pytest", "--orderflow", "-m", "(compose or migrations) and not safety", "-p",
        "no:cacheprovider", "-rfEs", f"--junitxml={junit}", cwd=folder, timeout=600,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out[-4000:]
    failed = _failed(junit)
    # The planted problems, and nothing else: the migration checks ran on PostgreSQL alone (the whole
    # stack would not start: `web`'s image exists nowhere here).
    assert failed == {
        f"test_compose_rule_holds[{rule_no_privileged.id}]",
        "test_each_downgrade_restores_the_catalog",
    }, out[-4000:]
    assert f"[{rule_no_privileged.id}] service web" in out, out[-4000:]
    assert f"[{STEPWISE_ROUNDTRIP.id}] revision 0002" in out, out[-4000:]
    assert re.search(r"\b[1-9][0-9]* passed\b", out), out[-4000:]


def test_a_plain_pytest_there_is_unchanged(project: tuple[Path, Path]) -> None:
    folder, python = project

    def listing(*args: str) -> str:
        lines = _ok(python, "-m", "pytest", "-p", "no:cacheprovider", *args, cwd=folder).splitlines()
        timed = re.compile(r" in [0-9.]+s\b")
        return "\n".join(line for line in lines if not line.startswith("plugins:") and not timed.search(line))

    for what in ("--markers", "--fixtures"):
        assert listing(what) == listing("-p", "no:orderflow", what)
    without = set(listing("-p", "no:orderflow", "--help").splitlines())
    added = [line for line in listing("--help").splitlines() if line not in without]
    assert [line for line in added if re.match(r"\s+-", line)] == [
        next(line for line in added if "--orderflow " in line)
    ], added
    assert "--profile" in listing("--help")  # pytest-profiling's option, no clash
    listing("test_probe.py", "--profile")  # exit 0: no SIGTERM handler, nothing heavy imported
    _ok(python, "-c", "import schema; assert schema.Schema(int).validate(1) == 1", cwd=folder)
