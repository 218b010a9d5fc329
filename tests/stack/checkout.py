"""Throwaway "checkouts" for the lifecycle fault tests (fixtures are in conftest.py): a directory
with a compose file and a .env, where the real CLI (`python -m infra`) runs as a user would run it.
Whatever a test starts is removed afterwards by project label."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from infra.compose.envfile import read_env_file, write_env_file
from infra.stack.isolation import isolated_project_name
from infra.stack.lifecycle import PROJECT_LABEL

SCENARIOS = Path(__file__).parent / "scenarios"
REPO = Path(__file__).resolve().parents[2]


def leftovers(project: str) -> list[str]:
    """Containers, volumes and networks Docker still has for a project."""
    found = []
    for kind in ("container", "volume", "network"):
        cmd = ["docker", kind, "ls", "-q", "--filter", f"label={PROJECT_LABEL}={project}"]
        if kind == "container":
            cmd.insert(3, "-a")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
        found += [f"{kind} {x}" for x in out]
    return found


@dataclass
class Checkout:
    """A directory that looks like a clone of the repository, to run the CLI in."""

    root: Path
    projects: list[str] = field(default_factory=list)

    @property
    def compose_file(self) -> Path:
        return self.root / "docker-compose.yml"

    def project(self) -> str:
        name = isolated_project_name()
        self.projects.append(name)
        return name

    def env(self) -> dict[str, str]:
        return read_env_file(self.root / ".env")

    def set_env(self, **values: str) -> None:
        write_env_file(self.root / ".env", {**self.env(), **values})

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "infra", args[0], "--compose-file", str(self.compose_file), *args[1:]]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args), cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def state(self, project: str) -> dict[str, object] | None:
        path = self.root / ".orderflow" / "stacks" / f"{project}.json"
        return json.loads(path.read_text()) if path.exists() else None


def make_checkout(root: Path, scenario: str, env: dict[str, str]) -> Checkout:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCENARIOS / scenario / "docker-compose.yml", root / "docker-compose.yml")
    write_env_file(root / ".env", env)
    return Checkout(root)


def pg_connect(env: dict[str, str], port: str | None = None) -> psycopg.Connection[tuple[object, ...]]:
    __tracebackhide__ = True  # its frame would show the password among its locals
    return psycopg.connect(
        host="127.0.0.1",
        port=int(port or env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"],
        dbname=env["POSTGRES_DB"],
        connect_timeout=5,
        autocommit=True,
    )


def count_rows(env: dict[str, str]) -> int:
    with pg_connect(env) as conn:
        row = conn.execute("SELECT count(*) FROM survivor").fetchone()
    return int(row[0]) if row else -1


def seed_rows(env: dict[str, str], n: int = 10_000) -> None:
    with pg_connect(env) as conn:
        conn.execute("CREATE TABLE survivor (id int PRIMARY KEY)")
        conn.execute("INSERT INTO survivor SELECT g FROM generate_series(1, %s) g", (n,))


def wait_for_line(
    stream_lines: list[str], proc: subprocess.Popen[str], needle: str, deadline_s: float
) -> None:
    """Read proc's stderr until a line contains needle (lines kept for the assertion message)."""
    __tracebackhide__ = True
    assert proc.stderr is not None
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        line = proc.stderr.readline()
        if not line:
            break
        stream_lines.append(line)
        if needle in line:
            return
    raise AssertionError(f"never saw {needle!r} within {deadline_s}s; stderr so far: {stream_lines}")
