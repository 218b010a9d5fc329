"""Env-file secrets judged by who else has the value, in a real git checkout (issue 18, class 3).

The scenario folders hold the files; each test copies one into a fresh checkout (tmp_path), the way
a user gets there: the compose file and the example tracked, the `.env` made by `cp .env.example
.env` (or written with values of one's own) and left untracked.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path

import pytest

from infra.compose.lint import compose_files, lint
from infra.compose.policy import POLICIES
from infra.compose.rules.envfiles import rule_no_committed_secrets
from tests.compose.test_scenarios import ENV, SCENARIOS

pytestmark = [pytest.mark.compose]


def checkout(scenario: str, into: Path, *, git: bool) -> Path:
    """A copy of the scenario folder; with `git`, a work tree where every copied file is tracked."""
    folder = into / "checkout"
    shutil.copytree(SCENARIOS / scenario, folder)
    if git:
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
        subprocess.run(["git", "-C", str(folder), "add", "."], check=True)
    return folder


def env_file_findings(folder: Path, policy: str = "dev-stack") -> dict[str, str]:
    report = lint(compose_files(folder / "docker-compose.yml"), POLICIES[policy], ENV)
    return {
        j.finding.where: j.finding.found
        for j in report.findings
        if j.finding.check_id == rule_no_committed_secrets.id
    }


@pytest.mark.negative(rule_no_committed_secrets.check)
def test_public_values_outside_git_are_found_with_their_reason(tmp_path):
    """Not tracked (no git): each key is still public, and the finding says why."""
    found = env_file_findings(checkout("env-file-public-values", tmp_path, git=False))
    text = found["env file app.env"]
    assert "JWT_SIGNING_KEY, ENCRYPTION_KEY (a value anyone can guess)" in text
    assert "SESSION_SECRET (the compose file's own default)" in text
    assert "DATABASE_URL" not in text  # its password is strong, and app.env has no example
    for planted in ("Kp4vTq9wLs2Xn7Rb", "Zq8vN3kLw2Rt6Yp9Bx4Hm7Jc", "min-32"):
        assert planted not in text


@pytest.mark.negative(rule_no_committed_secrets.check)
def test_an_untracked_copy_of_the_example_is_public(tmp_path):
    """`cp .env.example .env` in a git checkout: untracked, but every value is the example's."""
    folder = checkout("env-file-public-values", tmp_path, git=True)
    shutil.copy(folder / ".env.example", folder / ".env")
    found = env_file_findings(folder)
    assert "DATABASE_URL, JWT_SIGNING_KEY, ENCRYPTION_KEY (same as .env.example)" in found["env file .env"]
    assert "tracked by git" in found["env file app.env"]


def test_own_values_in_an_untracked_env_file_are_private(tmp_path):
    """The clean counterpart: a value of one's own, untracked, beside an example with empty values."""
    folder = checkout("clean/env-file-own-values", tmp_path, git=True)
    own = {k: secrets.token_hex(24) for k in ("JWT_SIGNING_KEY", "ENCRYPTION_KEY", "DB")}
    (folder / ".env").write_text(
        f"DATABASE_URL=postgresql://app:{own['DB']}@postgres:5432/app\n"
        f"JWT_SIGNING_KEY={own['JWT_SIGNING_KEY']}\nENCRYPTION_KEY={own['ENCRYPTION_KEY']}\n",
        encoding="utf-8",
    )
    assert env_file_findings(folder, "service") == {}
