"""The CLI's contract: its commands exist, and bad input is one line on stderr with a nonzero exit."""

import subprocess
import sys

import pytest

from infra.cli import build_parser, main

COMMANDS = ["doctor", "images", "env", "up", "status", "down", "prune-test-stacks", "checks", "ci-summary"]


def test_every_documented_command_exists():
    sub = next(
        a for a in build_parser()._actions if a.dest == "command"
    )  # argparse exposes no public accessor
    assert set(COMMANDS) <= set(sub.choices)


def test_missing_compose_file_is_one_line(capsys, tmp_path):
    assert main(["up", "--compose-file", str(tmp_path / "nope.yml")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"error: compose file {tmp_path / 'nope.yml'} does not exist. Hint: pass --compose-file "
        "or set ORDERFLOW_COMPOSE_FILE to an existing file"
    ]


def test_engine_missing_is_one_line_with_a_hint():
    proc = subprocess.run(
        [sys.executable, "-m", "infra", "status"],
        check=False,
        capture_output=True,
        text=True,
        env={"DOCKER_HOST": "unix:///nonexistent/docker.sock", "PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: no Docker engine answers")
    assert "Hint: run `sudo bash infra/stack/bootstrap-engine.sh`" in lines[0]


def test_ci_summary_fails_when_nothing_ran(tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite tests="0" failures="0" errors="0" skipped="0"/></testsuites>')
    assert main(["ci-summary", str(junit)]) == 1
    assert "no test ran" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["images"], ["env"], []])
def test_incomplete_commands_exit_nonzero(argv):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
