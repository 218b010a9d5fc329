"""Installed, the plugin is quiet: a plain pytest in another project gains the `--orderflow` flag and
nothing else (no other option, marker, fixture, signal handler or heavy import) until the flag is given."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra import config
from pytest_orderflow.plugin import OPTIONS

pytestmark = [pytest.mark.compose]

# (Other plugins of the dev install load testinfra and alembic: a fresh venv checks those, test_wheel.py.)
HEAVY = ("infra", "pytest_orderflow.harness", "docker", "psycopg")
PROBE = f"""
import signal, sys

def test_nothing_loaded_or_handled():
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    loaded = [m for m in {HEAVY!r} if m in sys.modules]
    assert not loaded, loaded
"""


def _pytest(folder: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The header's "plugins:" line names every installed plugin's distribution (it differs by ours),
    # and the last line says how long the run took.
    lines = proc.stdout.splitlines()
    timed = re.compile(r" in [0-9.]+s\b")
    return "\n".join(line for line in lines if not line.startswith("plugins:") and not timed.search(line))


@pytest.fixture
def other_project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\nversion = "0"\n')
    (tmp_path / "test_probe.py").write_text(PROBE)
    return tmp_path


def test_a_plain_run_is_unchanged(other_project: Path) -> None:
    for listing in ("--markers", "--fixtures"):
        assert _pytest(other_project, listing) == _pytest(other_project, "-p", "no:orderflow", listing)
    with_plugin = _pytest(other_project, "--help").splitlines()
    without = set(_pytest(other_project, "-p", "no:orderflow", "--help").splitlines())
    added = [line for line in with_plugin if line not in without]
    assert added and all(re.search(r"orderflow|OrderFlow", line) for line in added[:2]), added
    assert not [line for line in added if re.match(r"\s+--", line) and "--orderflow " not in line], added
    _pytest(other_project, "test_probe.py")  # exit 0: no SIGTERM handler, nothing heavy imported


def test_the_flag_brings_the_options(other_project: Path) -> None:
    """(That it brings the packaged checks is proven on a built wheel: tests/plugin/test_wheel.py. An
    editable install's checks are this checkout's checks/, under this checkout's conftest.py.)"""
    help_text = _pytest(other_project, "--orderflow", "--help")
    assert all(name in help_text for name, _ in OPTIONS)


def test_option_help_names_the_variables_infra_config_reads() -> None:
    variables = {v for k, v in vars(config).items() if k.endswith("_VAR")}
    named = {var for _, text in OPTIONS for var in re.findall(r"ORDERFLOW_\w+", text)}
    assert named <= variables, named - variables
