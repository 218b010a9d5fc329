"""Fault cases of issue 15 on the database side, each on the live PostgreSQL through the CLI as a user
runs it: nothing examined is never a pass, nothing is left on the server, one line instead of a
traceback, and no password in any channel (docs/safety-faults.md lists them)."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from infra.stack.databases import OWNER_KEY, drop_abandoned_databases, drop_database
from tests.safety.branches import branch

pytestmark = [pytest.mark.safety, pytest.mark.infra]

ROOT = Path(__file__).parent.parent.parent
EXAMPLES = Path(__file__).parent / "examples"
MODELS = f"{ROOT / 'tests' / 'migrations' / 'examples' / '_base' / 'models.py'}:metadata"


def infra(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "infra", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=cwd,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode == 1 and len(errors) == 1, proc.stderr[-3000:]
    return errors[0]


@pytest.fixture
def admin(live_stack) -> str:
    return live_stack.endpoints.postgres_dsn()


@pytest.fixture
def database(admin, live_stack) -> Iterator[tuple[str, str]]:
    """An empty database on the live server: (name, libpq URL)."""
    name = f"fault_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name, live_stack.endpoints.postgres_dsn(name)
    finally:
        drop_database(admin, name)


def test_trace_on_an_ini_without_version_locations_and_nothing_to_trace(admin, tmp_path):
    """The README's trace on schema/alembic.ini (no version_locations) ran into IndexError; at the base
    ref's head there is nothing to upgrade: every rule skipped, saying so, never passed."""
    report = tmp_path / "trace.json"
    proc = infra("trace", "--alembic-ini", "schema/alembic.ini", "--base", "HEAD", "--database-url", admin,
                 "--report", str(report))  # fmt: skip
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    doc = json.loads(report.read_text())
    assert doc["status"] == "skipped" and doc["statements_traced"] == 0
    assert {r["status"] for r in doc["results"]} == {"skipped"}
    assert all("nothing to upgrade" in r["message"] for r in doc["results"])


def test_roundtrip_on_several_version_locations(admin):
    ini = str(EXAMPLES / "index-plain" / "alembic.ini")
    proc = infra("roundtrip", "--alembic-ini", ini, "--base", "HEAD", "--database-url", admin)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]


def test_key_value_dsn_and_url_without_port(live_stack, database, tmp_path):
    """A key=value DSN gave ArgumentError; a URL without a port (here: the port in the query, no password
    in it) crashed on `dsn.split(":")[2]`. Both audit and trace now."""
    env = live_stack.endpoints.env
    _, url = database
    port = url.split("@", 1)[1].split("/")[0].split(":")[1]
    password = env["POSTGRES_PASSWORD"]
    key_value = (
        f"host=127.0.0.1 port={port} user={env['POSTGRES_USER']} password='{password}' dbname=postgres"
    )
    no_port = f"postgresql://{env['POSTGRES_USER']}@127.0.0.1/postgres?port={port}&password={password}"
    for dsn in (key_value, no_port):
        report = tmp_path / "r.json"
        proc = infra("trace", "--alembic-ini", str(EXAMPLES / "index-plain" / "alembic.ini"), "--start", "a2",
                     "--rows", "10", "--database-url", dsn, "--report", str(report))  # fmt: skip
        assert "Traceback" not in proc.stderr and report.is_file(), proc.stderr[-3000:]
        assert password not in proc.stdout + proc.stderr + report.read_text()
        proc = infra("audit", "--metadata", MODELS, "--database-url", dsn, "--json")
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert password not in proc.stdout + proc.stderr
        repo = branch(tmp_path / str(len(dsn)), "safe")  # a new revision: the walk runs, then the report
        ini = str(repo / "alembic.ini")
        proc = infra("roundtrip", "--base", "HEAD", "--no-old-code", "--no-trace", "--database-url", dsn,
                     "--alembic-ini", ini, "--report", str(report), cwd=repo)  # fmt: skip
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert password not in proc.stdout + proc.stderr + report.read_text()


def test_audit_masks_query_password_in_json_and_error_line(live_stack, database, tmp_path):
    env = live_stack.endpoints.env
    _, url = database
    hostport, name = url.split("@", 1)[1].split("?")[0].split("/")
    password = env["POSTGRES_PASSWORD"]
    given = f"postgresql://{env['POSTGRES_USER']}@{hostport}/{name}?password={password}"
    markdown = tmp_path / "audit.md"
    proc = infra(
        "audit", "--metadata", MODELS, "--database-url", given, "--json", "--markdown", str(markdown)
    )
    doc = json.loads(proc.stdout)
    assert (
        password not in proc.stdout + proc.stderr + markdown.read_text() and "password=***" in doc["database"]
    )
    wrong = f"postgresql://nobody@127.0.0.1:1/{name}?password=not-this-secret-0815"
    line = one_line(infra("audit", "--metadata", MODELS, "--database-url", wrong))
    assert "not-this-secret-0815" not in line and "cannot connect" in line


def test_audit_of_nothing_is_a_skip_naming_the_schemas(database):
    """An empty database, or tables outside public only, was '12 passed'."""
    _, url = database
    proc = infra("audit", "--metadata", MODELS, "--database-url", url, "--json")
    doc = json.loads(proc.stdout)
    assert doc["status"] == "skipped" and doc["schemas"] == ["public"]
    assert all("no table to audit in schema(s) public" in r["message"] for r in doc["results"])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA sales; CREATE TABLE sales.orders (id uuid PRIMARY KEY)")
    doc = json.loads(infra("audit", "--metadata", MODELS, "--database-url", url, "--json").stdout)
    assert doc["status"] == "skipped" and "tables are in sales: pass --schema" in doc["results"][0]["message"]
    proc = infra("audit", "--metadata", MODELS, "--database-url", url, "--schema", "sales", "--json")
    doc = json.loads(proc.stdout)
    assert doc["status"] != "skipped" and doc["schemas"] == ["sales"]


def test_user_without_createdb_gets_one_line(live_stack, admin, database):
    role, password = f"nocreatedb_{secrets.token_hex(3)}", "nocreatedb-pass-9931"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(role), password))
    try:
        hostport = database[1].split("@", 1)[1].split("/")[0]
        url = f"postgresql://{role}:{password}@{hostport}/{database[0]}"
        line = one_line(infra("trace", "--alembic-ini", str(EXAMPLES / "index-plain" / "alembic.ini"),
                              "--database-url", url))  # fmt: skip
        assert f"{role} may not create databases" in line and f"ALTER ROLE {role} CREATEDB" in line
        assert password not in line
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def cluster_state(admin: str) -> tuple[bool, bool, str]:
    with psycopg.connect(admin, autocommit=True) as conn:
        role = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'orderflow_fault_reader'").fetchone()
        db = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'orderflow_fault_reports'").fetchone()
        conf = conn.execute("SELECT count(*) FROM pg_file_settings WHERE name = 'work_mem' "
                            "AND sourcefile LIKE '%%postgresql.auto.conf'").fetchone()  # fmt: skip
    return role is not None, db is not None, str(conf[0] if conf else 0)


def test_cluster_objects_are_removed_and_the_next_trace_is_not_fooled(admin, tmp_path):
    """A revision's CREATE ROLE ... PASSWORD, CREATE DATABASE and ALTER SYSTEM stayed on the server after
    trace, and the next trace failed upgrade-on-data on the existing role. The password must be in no
    channel: console, JSON, Markdown."""
    assert cluster_state(admin) == (False, False, "0")
    ini = str(EXAMPLES / "cluster-objects" / "alembic.ini")
    for attempt in range(2):
        report, markdown = tmp_path / f"t{attempt}.json", tmp_path / f"t{attempt}.md"
        proc = infra("trace", "--alembic-ini", ini, "--start", "a2", "--rows", "10", "--database-url", admin,
                     "--report", str(report), "--markdown", str(markdown))  # fmt: skip
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        doc = json.loads(report.read_text())
        failed = [r for r in doc["results"] if r["status"] in ("failed", "error")]
        assert not [r for r in failed if "upgrade-on-data" in r["check_id"]], failed
        assert doc["trace"]["failed"] is None
        assert "role orderflow_fault_reader created by the run: dropped" in doc["cluster_objects"]
        assert "database orderflow_fault_reports created by the run: dropped" in doc["cluster_objects"]
        assert "setting work_mem set by ALTER SYSTEM in the run: reset" in doc["cluster_objects"]
        assert cluster_state(admin) == (False, False, "0")
        channels = proc.stdout + proc.stderr + report.read_text() + markdown.read_text()
        assert "role-secret-4711" not in channels and "PASSWORD '***'" in report.read_text()
    # the same objects (cluster-wide names): one test, so parallel workers never share them
    roundtrip_removes_cluster_objects_and_masks_the_password(admin, tmp_path)


def test_scratch_databases_of_dead_runs_are_dropped(admin):
    dead = subprocess.run(["sleep", "0"], check=True)  # a pid that has ended
    assert dead.returncode == 0
    names = {"dead": f"trace_{secrets.token_hex(4)}", "alive": f"trace_{secrets.token_hex(4)}"}
    from infra.stack.databases import owner_comment  # noqa: PLC0415 - next to its use

    alive = owner_comment()
    gone = json.dumps(json.loads(alive) | {"pid": 2**22 + 17, "started": "1"})
    with psycopg.connect(admin, autocommit=True) as conn:
        for key, comment in (("dead", gone), ("alive", alive)):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(names[key])))
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(names[key]), comment))
    try:
        dropped = drop_abandoned_databases(admin)
        assert names["dead"] in dropped and names["alive"] not in dropped and OWNER_KEY in alive
    finally:
        for name in names.values():
            drop_database(admin, name)


def roundtrip_removes_cluster_objects_and_masks_the_password(admin: str, tmp_path: Path) -> None:
    """The round trip walks a3 down and up again: the role it leaves at the end is dropped, and its
    password is in no channel (console, JSON, Markdown)."""
    repo = branch(tmp_path, "cluster")
    shutil.copy(EXAMPLES / "cluster-objects" / "versions" / "a3_cluster_objects.py", repo / "versions")
    report, markdown = tmp_path / "rt.json", tmp_path / "rt.md"
    outputs = ["--report", str(report), "--markdown", str(markdown)]
    proc = infra("roundtrip", "--base", "HEAD", "--no-old-code", "--alembic-ini", str(repo / "alembic.ini"),
                 "--database-url", admin, *outputs, cwd=repo)  # fmt: skip
    assert "Traceback" not in proc.stderr and report.is_file(), proc.stderr[-3000:]
    doc = json.loads(report.read_text())
    assert "role orderflow_fault_reader created by the run: dropped" in doc["cluster_objects"]
    assert cluster_state(admin) == (False, False, "0")
    channels = proc.stdout + proc.stderr + report.read_text() + markdown.read_text()
    assert "role-secret-4711" not in channels and "PASSWORD '***'" in channels
