"""`python -m infra lint`: any compose file, anywhere, without pytest; one line for bad input."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file
from infra.compose.rules.exposure import rule_ports_loopback
from infra.compose.rules.layout import rule_name_set
from infra.compose.rules.pinning import rule_image_pinned
from infra.masking import is_secret_name

SCENARIOS = Path(__file__).parent / "scenarios"
REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.compose]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra", "lint", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def user_env() -> str:
    """The scenario variables with secrets of a user's own (outside git, guessable ones are findings)."""
    values = read_env_file(SCENARIOS / "scenario.env")
    values |= {k: secrets.token_urlsafe(24) for k in values if is_secret_name(k)}
    return "".join(f"{k}={v}\n" for k, v in values.items())


def outside_copy(tmp_path: Path, scenario: str) -> Path:
    """A scenario copied out of the repository, with an env file beside it as `stack.env`, in a project
    that chooses the strict policy (its pyproject.toml's [tool.orderflow.lint])."""
    folder = tmp_path / scenario.replace("/", "-")
    shutil.copytree(SCENARIOS / scenario, folder)
    (folder / "stack.env").write_text(user_env())
    (folder / "pyproject.toml").write_text('[tool.orderflow.lint]\npolicy = "dev-stack"\n')
    return folder


def valid_copy_with(tmp_path: Path, old: str, new: str) -> Path:
    """The (hardened) valid stack copied out of the repository, with one defect: `old` -> `new`."""
    folder = outside_copy(tmp_path, "valid")
    compose = folder / "docker-compose.yml"
    text = compose.read_text()
    assert old in text
    compose.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize("form", ["separate", "joined"])
def test_a_file_outside_the_repository(tmp_path, form):
    folder = outside_copy(tmp_path, "valid")
    env = (
        ["--env-file", str(folder / "stack.env")]
        if form == "separate"
        else [f"--env-file={folder / 'stack.env'}"]
    )
    proc = run(str(folder / "docker-compose.yml"), *env, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["env_file"] == str(folder / "stack.env")
    assert report["placeholders"] == []
    assert report["findings"] == [] and report["services"] == 3


def test_error_findings_exit_nonzero_and_the_value_is_shown_as_written(tmp_path):
    folder = valid_copy_with(tmp_path, "pgvector/pgvector:0.8.0-pg16", "pgvector/pgvector:pg16")
    proc = run(str(folder / "docker-compose.yml"), "--env-file", str(folder / "stack.env"))
    assert proc.returncode == 1
    assert f"error   [{rule_image_pinned.id}] service postgres" in proc.stdout


def test_the_policy_decides_what_fails(tmp_path):
    """A web entry on every interface: an error under dev-stack, fine under service."""
    folder = outside_copy(tmp_path, "clean/public-entry-port")
    args = [str(folder / "docker-compose.yml"), "--env-file", str(folder / "stack.env")]
    assert run(*args, "--policy", "service").returncode == 0
    strict = run(*args, "--policy", "dev-stack", "--markdown")
    assert strict.returncode == 1 and f"| error | `{rule_ports_loopback.id}` | service web" in strict.stdout


def test_a_project_that_chose_no_policy_is_judged_as_a_service(tmp_path):
    """Without [tool.orderflow.lint] above the file, `service`: an unpinned image is a warning there."""
    folder = valid_copy_with(tmp_path, "pgvector/pgvector:0.8.0-pg16", "pgvector/pgvector:pg16")
    args = [str(folder / "docker-compose.yml"), "--env-file", str(folder / "stack.env"), "--json"]
    assert json.loads(run(*args).stdout)["errors"] == 1
    (folder / "pyproject.toml").unlink()
    report = json.loads(run(*args).stdout)
    assert report["policy"] == "service" and report["errors"] == 0, report


def test_unset_required_variables_get_named_placeholders(tmp_path):
    folder = outside_copy(tmp_path, "valid")
    proc = run(str(folder / "docker-compose.yml"), "--json")
    report = json.loads(proc.stdout)
    assert "POSTGRES_PASSWORD" in report["placeholders"] and report["env_file"] is None


def test_the_project_name_may_come_from_the_committed_env_file(tmp_path):
    """Seen in temporalio/docker-compose: COMPOSE_PROJECT_NAME in the .env beside the file."""
    folder = valid_copy_with(tmp_path, "name: scenario\n", "")
    shutil.copy(folder / "stack.env", folder / ".env")
    assert rule_name_set.id in run(str(folder / "docker-compose.yml")).stdout
    with (folder / ".env").open("a") as env:
        env.write("COMPOSE_PROJECT_NAME=scenario\n")
    proc = run(str(folder / "docker-compose.yml"), "--json")
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: (d / "docker-compose.yml", ["--env-file", str(d / "nope.env")]), "is missing"),
        (lambda d: (d, []), "is a directory, not a compose file"),
        (lambda d: (d / "absent.yml", []), "does not exist"),
        (lambda d: (d / "bad.yml", []), "not valid YAML"),
        (lambda d: (d / "unknown-key.yml", []), "restart_policy"),
    ],
)
def test_bad_input_is_one_line(tmp_path, make, message):
    folder = outside_copy(tmp_path, "valid")
    (folder / "bad.yml").write_text("services:\n  a: [\n")
    (folder / "unknown-key.yml").write_text(
        "services:\n  a:\n    image: redis:7.4.1\n    restart_policy: x\n"
    )
    path, extra = make(folder)
    proc = run(str(path), *extra)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], proc.stderr


@pytest.mark.parametrize("form", ["separate", "joined"])
def test_lint_and_pytest_agree_on_a_file_outside_the_repository(tmp_path, form):
    """The same errors from `python -m infra lint` and from the compose checks run by pytest with
    `--compose-file /abs --env-file /abs` (or `--opt=/abs`)."""
    folder = valid_copy_with(tmp_path, "pgvector/pgvector:0.8.0-pg16", "pgvector/pgvector:pg16")
    compose, env = folder / "docker-compose.yml", folder / "stack.env"
    report = json.loads(run(str(compose), "--env-file", str(env), "--json").stdout)
    errors = {f["check_id"] for f in report["findings"] if f["severity"] == "error"}
    options = (
        ["--orderflow-compose-file", str(compose), "--orderflow-env-file", str(env)]
        if form == "separate"
        else [f"--orderflow-compose-file={compose}", f"--orderflow-env-file={env}"]
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(REPO / "checks" / "compose"),
            "-m",
            "compose",
            "-q",
            "-rf",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            *options,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = set(re.findall(r"FAILED \S+\[(compose\.[a-z-]+)\]", proc.stdout))
    assert errors == {rule_image_pinned.id} == failed, proc.stdout[-3000:]


def test_the_corpus_benchmark_says_it_examined_nothing_without_a_corpus(tmp_path):
    """Zero files examined is no result: the benchmark says so and exits 2."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "compose_corpus.py"), "--corpus", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout.startswith("examined 0 corpus files"), (
        proc.stdout + proc.stderr
    )
