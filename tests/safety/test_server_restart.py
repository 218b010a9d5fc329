"""PostgreSQL restarted mid-`roundtrip` gave 4 chained tracebacks, no --report and a scratch database left
behind. Now: one line, the report written with the error, and the scratch database (its owner named in
its comment) dropped by the next run once this one is gone. A throwaway server from the stack's image."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from infra.stack.databases import drop_abandoned_databases
from infra.stack.throwaway import exited, host_port, throwaway_container, wait_until

pytestmark = [pytest.mark.safety, pytest.mark.infra, pytest.mark.slow]

HERE = Path(__file__).parent
BASE = HERE.parent / "migrations" / "examples" / "_base" / "versions" / "a1_create_org.py"
PASSWORD = "restart-case-password"


def repo_with_slow_revision(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "versions").mkdir(parents=True)
    shutil.copy(BASE, repo / "versions")
    (repo / "alembic.ini").write_text(
        f"[alembic]\nscript_location = {HERE.parent / 'migrations' / 'examples' / '_env'}\n"
        "version_locations = %(here)s/versions\npath_separator = space\n"
    )
    for args in (
        ["init", "-q"],
        ["add", "."],
        ["-c", "user.name=t", "-c", "user.email=t@x.invalid", "commit", "-qm", "b"],
    ):
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
    shutil.copy(HERE / "examples" / "sleeps" / "a2_sleeps.py", repo / "versions")
    return repo


def test_restart_mid_roundtrip_is_one_line_with_a_report(live_stack, tmp_path):
    image = live_stack.stack.model.services["postgres"].image
    env = {"POSTGRES_USER": "rs", "POSTGRES_PASSWORD": PASSWORD, "POSTGRES_DB": "rs",
           "POSTGRES_INITDB_ARGS": "--no-sync"}  # fmt: skip
    with throwaway_container(image, environment=env, ports=[5432]) as container:

        def dsn() -> str:
            container.reload()
            return f"postgresql://rs:{PASSWORD}@127.0.0.1:{host_port(container, 5432)}/rs"

        def connects() -> bool:
            with psycopg.connect(dsn(), connect_timeout=2):
                return True

        wait_until(connects, "the throwaway PostgreSQL", deadline_s=90, give_up=lambda: exited(container))
        repo, report = repo_with_slow_revision(tmp_path), tmp_path / "report.json"
        proc = subprocess.Popen(
            [sys.executable, "-m", "infra", "roundtrip", "--base", "HEAD", "--no-old-code", "--alembic-ini",
             str(repo / "alembic.ini"), "--database-url", dsn(), "--report", str(report)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=repo,
        )  # fmt: skip

        def sleeping() -> bool | None:
            with psycopg.connect(dsn(), connect_timeout=2) as conn:
                query = "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%%'"
                return True if conn.execute(query).fetchone() else None

        wait_until(sleeping, "the revision's pg_sleep to run", deadline_s=120)
        container.restart(timeout=5)
        out, err = proc.communicate(timeout=300)
        assert "Traceback" not in err, err[-3000:]
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert proc.returncode == 1 and len(errors) == 1 and "lost the connection to PostgreSQL" in errors[0]
        assert PASSWORD not in out + err
        doc = json.loads(report.read_text())
        assert any(r["status"] == "error" and "lost the connection" in r["message"] for r in doc["results"])
        wait_until(connects, "the restarted PostgreSQL", deadline_s=90, give_up=lambda: exited(container))
        drop_abandoned_databases(dsn())
        with psycopg.connect(dsn()) as conn:
            left = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'roundtrip%%'").fetchall()
        assert left == [], "the dead run's scratch database is dropped"
