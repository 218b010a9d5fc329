"""Hostile input to `lint`/`doctor` (issue 15 items 4 and 6), on a real Compose: one line each, never a
hang, never a traceback, and nothing of what Compose quotes back (secrets, lines of files outside the
project) in any channel (console, --json, --markdown)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.stack.isolation import generated_secret

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.compose]
HANG_GUARD_S = 240  # far above what any case needs: a timeout here means the harness hung


def infra(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFLOW_")}
    return subprocess.run(
        [sys.executable, "-m", "infra", *args],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=HANG_GUARD_S,
        env={**environ, "PYTHONPATH": str(REPO), **(env or {})},
    )  # fmt: skip


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def project(tmp_path: Path, compose: str, env: str | None = None) -> Path:
    folder = tmp_path / "proj"
    folder.mkdir(exist_ok=True)
    (folder / "docker-compose.yml").write_text(compose)
    if env is not None:
        (folder / ".env").write_text(env)
    return folder


SERVICE = "name: myproj\nservices:\n  db:\n    image: redis:7.4.1\n"


@pytest.mark.parametrize("where", ["compose file", ".env", "env_file", "--env-file"])
def test_a_fifo_is_refused_by_type_not_opened(tmp_path, where):
    folder = project(tmp_path, SERVICE + ("    env_file: [side.env]\n" if where == "env_file" else ""))
    fifo = {"compose file": "fifo.yml", ".env": ".env", "env_file": "side.env", "--env-file": "given"}[where]
    os.mkfifo(folder / fifo)
    target = folder / ("fifo.yml" if where == "compose file" else "docker-compose.yml")
    given = ["--env-file", str(folder / fifo)] if where == "--env-file" else []
    line = one_line(infra("lint", str(target), *given, cwd=folder))
    assert "FIFO" in line and str(folder / fifo) in line, line


def test_a_20_mb_compose_file_is_refused_with_its_size(tmp_path):
    folder = project(tmp_path, SERVICE + "x-pad: |\n" + ("  " + "x" * 1000 + "\n") * 20_000)
    line = one_line(infra("lint", str(folder / "docker-compose.yml"), cwd=folder))
    assert "MiB; over 2 MiB is refused" in line, line


def test_a_515_byte_alias_bomb_is_refused_at_once(tmp_path):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    bomb = "x-bomb:\n" + "".join(f"  {line}\n" for line in levels)
    assert len(bomb) < 600
    folder = project(tmp_path, SERVICE + bomb)
    line = one_line(infra("lint", str(folder / "docker-compose.yml"), cwd=folder))
    assert "aliases expand to over" in line, line


def test_ten_thousand_nested_brackets_are_one_line(tmp_path):
    folder = project(tmp_path, SERVICE + "x-deep: " + "[" * 10_000 + "]" * 10_000 + "\n")
    line = one_line(infra("lint", str(folder / "docker-compose.yml"), cwd=folder))
    assert "nested deeper than 64 levels" in line and "RecursionError" not in line, line


OUTSIDE_LINE = "outside-marker-7f3a: this line belongs to a file outside the project"


@pytest.mark.parametrize("how", ["include", "extends", "env_file"])
def test_content_of_files_outside_the_project_is_never_printed(tmp_path, how):
    outside = tmp_path / "elsewhere" / "private.txt"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_LINE + "\n")
    compose = {
        "include": f"include:\n  - {outside}\n" + SERVICE,
        "extends": f"services:\n  db:\n    extends:\n      file: {outside}\n      service: db\n",
        "env_file": SERVICE + f"    env_file: [{outside}]\n",
    }[how]
    folder = project(tmp_path, compose)
    for fmt in ([], ["--json"], ["--markdown"]):
        proc = infra("lint", str(folder / "docker-compose.yml"), *fmt, cwd=folder)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "outside-marker" not in proc.stdout + proc.stderr, (how, fmt, proc.stdout + proc.stderr)


@pytest.mark.skipif(not os.access("/etc/shadow", os.R_OK), reason="/etc/shadow is not readable here")
def test_include_etc_shadow_prints_no_line_of_it(tmp_path):
    folder = project(tmp_path, "include:\n  - /etc/shadow\n" + SERVICE)
    shadow_users = [line.split(":")[0] + ":" for line in Path("/etc/shadow").read_text().splitlines()]
    line = one_line(infra("lint", str(folder / "docker-compose.yml"), cwd=folder))
    assert "outside its project dir" in line, line
    assert not [u for u in shadow_users if u in line], line


MEM_LIMIT = SERVICE + "    mem_limit: ${POSTGRES_PASSWORD}\n"


@pytest.mark.parametrize("source", ["env file", "process env"])
def test_compose_quoting_a_secret_is_masked_in_lint_and_doctor(tmp_path, source):
    """`doctor` fills the stack's env from the env file (generated secrets for blanks), so the process
    env case is `lint`'s: the shell's variables win there, as in Compose."""
    password = generated_secret()
    if source == "env file":
        folder, shell = project(tmp_path, MEM_LIMIT, f"POSTGRES_PASSWORD={password}\n"), {}
    else:
        folder = project(tmp_path, MEM_LIMIT.replace("POSTGRES_PASSWORD", "RELAY_TOKEN"), "")
        shell = {"RELAY_TOKEN": password}
    compose = str(folder / "docker-compose.yml")
    runs = [infra("lint", compose, *fmt, cwd=folder, env=shell) for fmt in ([], ["--json"], ["--markdown"])]
    if source == "env file":
        runs.append(
            infra("doctor", "--compose-file", compose, "--env-file", str(folder / ".env"), cwd=folder)
        )
    for proc in runs:
        text = proc.stdout + proc.stderr
        assert "Traceback" not in text, text
        assert "mem_limit" in text and "***" in text, text  # Compose's complaint is still relayed
        assert password not in text, proc.args


def test_compose_quoting_a_secret_is_masked_in_pytest_and_junit(tmp_path):
    password = generated_secret()
    folder = project(tmp_path, MEM_LIMIT, f"POSTGRES_PASSWORD={password}\n")
    junit = tmp_path / "junit.xml"
    env = {
        "ORDERFLOW_COMPOSE_FILE": str(folder / "docker-compose.yml"),
        "ORDERFLOW_ENV_FILE": str(folder / ".env"),
    }
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERFLOW_", "PYTEST_"))}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-n", "0",
         "-m", "compose", "checks/compose", "--junitxml", str(junit), "-rA", "--tb=long"],
        cwd=REPO, capture_output=True, text=True, check=False, timeout=HANG_GUARD_S, env={**environ, **env},
    )  # fmt: skip
    console = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "mem_limit" in console, console[-3000:]
    assert password not in console, console[-3000:]
    assert password not in junit.read_text()


def test_a_password_equal_to_the_project_name_leaves_messages_readable(tmp_path):
    folder = project(
        tmp_path,
        "name: myproj\nservices:\n  myproj-db:\n    image: postgres:16\n    ports: ['5432:5432']\n"
        "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\n",
        "POSTGRES_PASSWORD=myproj\n",
    )
    proc = infra("lint", str(folder / "docker-compose.yml"), cwd=folder)
    assert "myproj-db" in proc.stdout and "***-db" not in proc.stdout, proc.stdout
