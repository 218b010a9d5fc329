"""Fault test, secrets (issue 9, case 5): PostgreSQL stopped in the middle of a pytest run.

A small pytest session runs against its own isolated stack: the first test records the password
and stops PostgreSQL, then real checks fail the way they would if the database died. The password
must appear nowhere: console output, JUnit XML (failure text, captured output, stack diagnostics).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from infra.masking import Secret, SecretEnv, cut
from tests.stack.checkout import REPO, SCENARIOS

CHECKS = [  # each connects its own way: psycopg with a DSN, SQLAlchemy through scratch databases, Docker
    "checks/services/test_postgres.py",
    "checks/migrations/test_history.py::test_upgrade_from_empty",
    "checks/migrations/test_history.py::test_models_match_migrations_catalog",
    "checks/live/test_stack_health.py::test_every_service_healthy",
]


@pytest.mark.infra
@pytest.mark.slow
def test_postgres_stopped_mid_run_leaks_no_password(tmp_path):
    probe, junit = tmp_path / "password", tmp_path / "junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORDERFLOW_", "PYTEST_"))}
    env["ORDERFLOW_LEAK_PROBE"] = str(probe)
    run = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-m", "infra",
            "--junitxml", str(junit), "-o", "junit_family=xunit1", "-rA", "--tb=long",
            str(SCENARIOS / "stop-postgres" / "stop_postgres.py"), *CHECKS,
        ],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    console = run.stdout + run.stderr
    password = probe.read_text() if probe.exists() else ""
    assert password, f"the probe test did not run:\n{console[-3000:]}"
    assert run.returncode == 1, console[-3000:]
    assert "failed" in console and "passed" in console  # the stop happened mid-run, checks failed after it
    channels = {"console": console, "junit": junit.read_text()}
    leaked = {name: text.count(password) for name, text in channels.items() if password in text}
    assert not leaked, f"password printed: {leaked}"
    for name, text in channels.items():  # nor a cut-off head of it (mask before cutting)
        assert password[:10] not in text, name


def test_mask_before_cut_keeps_no_head_of_a_secret():
    secret = "s3cr3t-" + "x" * 40
    text = "FATAL: password authentication failed, password was " + secret
    for limit in (30, 60, 70):  # cutting first would have kept "s3cr3t-xxx..." at 60 and 70
        shown = cut(text, [secret], limit)
        assert "s3cr3t" not in shown and len(shown) <= limit
    assert cut(text, [secret], 70).endswith("password was ***")


def test_secret_types_have_masked_reprs():
    assert repr(Secret("hunter2-hunter2")) == "Secret('***')"
    assert str(Secret("hunter2-hunter2")) == "hunter2-hunter2"
    assert "hunter2" not in repr(SecretEnv({"POSTGRES_PASSWORD": "hunter2-hunter2", "POSTGRES_USER": "me"}))
    assert "me" in repr(SecretEnv({"POSTGRES_USER": "me"}))


@pytest.mark.infra
def test_dsns_carry_no_password(live_stack):
    endpoints = live_stack.endpoints
    password = live_stack.stack.env["POSTGRES_PASSWORD"]
    for url in (endpoints.postgres_dsn(), endpoints.postgres_url(), endpoints.postgres_dsn("other")):
        assert password not in url and "passfile=" in url
    assert password not in repr(endpoints) and password not in repr(live_stack.stack.env)
    assert Path(endpoints.passfile or "").stat().st_mode & 0o077 == 0
