"""A second clone of the repository works beside the first one's running dev stack: its `up` picks a
project of its own and says so, its `status` says whose stack it is with ports as text, prints the
database URL without the password, and `roundtrip --project` reaches that stack's server.

Both clones are real `git` clones of this commit in a temporary folder, each running its own code
(`python -m infra` from the clone); their shared compose `name:` is made unique to this test so no
developer's stack is touched. Everything started is removed by project at the end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file, write_env_file
from infra.stack.isolation import free_port, isolated_project_name
from infra.stack.prune import remove_project
from tests.output.formats import assert_report

pytestmark = [pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
UP_S = 300


def clone(target: Path, name: str) -> Path:
    """This commit's tree and history in `target`, its compose project renamed to `name`."""
    git = ["git", "-c", "advice.detachedHead=false"]
    subprocess.run([*git, "init", "-q", str(target)], check=True)
    subprocess.run([*git, "-C", str(target), "fetch", "-q", str(REPO), "HEAD"], check=True, timeout=120)
    subprocess.run([*git, "-C", str(target), "checkout", "-q", "FETCH_HEAD"], check=True)
    compose = target / "docker-compose.yml"
    compose.write_text(re.sub(r"(?m)^name: .*$", f"name: {name}", compose.read_text(), count=1))
    return target


def run(checkout: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The clone's own CLI, from the clone (its `infra` first on sys.path)."""
    return subprocess.run(
        [sys.executable, "-m", "infra", *args],
        cwd=checkout,
        env={**_env(), "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _env() -> dict[str, str]:
    """The test's environment less the harness's knobs (a clone runs with its own defaults)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("ORDERFLOW_")}


@pytest.fixture
def two_clones(tmp_path: Path) -> Iterator[tuple[Path, Path, str]]:
    name = isolated_project_name()
    first, second = clone(tmp_path / "first", name), clone(tmp_path / "second", name)
    assert run(first, "env", "init").returncode == 0
    env = read_env_file(first / ".env")
    write_env_file(first / ".env", {**env, **{k: str(free_port()) for k in env if k.endswith("_PORT")}})
    projects = [name]
    try:
        yield first, second, name
    finally:
        for checkout in (first, second):
            projects += [p.stem for p in (checkout / ".orderflow" / "stacks").glob("*.json")]
        for project in dict.fromkeys(projects):
            remove_project(project, volumes=True)


def test_a_second_clone_gets_its_own_stack(two_clones):
    first, second, name = two_clones
    up = run(first, "up", "--timeout", str(UP_S), timeout=UP_S + 60)
    assert up.returncode == 0, up.stdout + up.stderr

    doctor = run(second, "doctor")
    assert f"project {name} belongs to the checkout at {first}" in doctor.stdout, doctor.stdout
    early = run(second, "audit")  # no stack of its own yet: one line, not the first's password error
    lines = early.stderr.strip().splitlines()
    assert early.returncode == 1 and len(lines) == 1 and "belongs to the checkout at" in lines[0], (
        early.stderr
    )

    up = run(second, "up", "--json", "--timeout", str(UP_S), timeout=UP_S + 60)
    assert up.returncode == 0, up.stdout + up.stderr
    assert f"project {name} belongs to the checkout at {first}" in up.stderr
    report = json.loads(up.stdout)
    assert_report(report)
    own = report["project"]
    assert own != name and own.startswith(f"{name}-second-")

    status = run(second, "status")
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"{own}: " in status.stdout and "started by this checkout" in status.stdout
    assert "5432/tcp -> 127.0.0.1:" in status.stdout and "{" not in status.stdout
    first_status = json.loads(run(first, "status", "--json").stdout)
    assert_report(first_status)
    assert first_status["project"] == name and first_status["owner"] == str(first)

    url = run(second, "status", "--database-url")
    assert url.returncode == 0, url.stderr
    own_env = json.loads((second / ".orderflow" / "stacks" / f"{own}.json").read_text())["env"]
    password = own_env["POSTGRES_PASSWORD"]
    assert "passfile=" in url.stdout and password not in url.stdout + url.stderr

    base = subprocess.run(
        ["git", "-C", str(second), "log", "--diff-filter=A", "--format=%H^", "--",
         "schema/migrations/versions/0001_create_org.py"],
        capture_output=True, text=True, check=True,
    ).stdout.split()[-1]  # fmt: skip
    roundtrip = run(
        second, "roundtrip", "--project", own, "--base", base, "--no-trace", "--no-old-code", "--json",
        timeout=300,
    )  # fmt: skip
    assert roundtrip.returncode == 0, roundtrip.stdout[-3000:] + roundtrip.stderr[-2000:]
    doc = json.loads(roundtrip.stdout)
    assert_report(doc)
    assert [r["id"] for r in doc["revisions"]] == ["0001"], doc["revisions"]
    assert f":{own_env['POSTGRES_PORT']}/" in doc["database"], "not the second clone's own server"
    assert password not in roundtrip.stdout + roundtrip.stderr

    down = run(second, "down", "--volumes")
    assert down.returncode == 0 and down.stdout.startswith(f"{own}: down"), down.stdout + down.stderr
    after = json.loads(run(first, "status", "--json").stdout)
    states = {k: v["state"] for k, v in after["services"].items()}
    assert set(states) == set(first_status["services"]), f"the first stack lost containers: {states}"
    assert states["postgres"] == "healthy", states  # (MinIO's health may flap on a loaded machine)
