"""An env.py that ignores `config.attributes["connection"]` must never migrate a developer's database while
the harness judges its own scratch one (issue 15, item 1).

The developer's database is a second database on the live server holding 10,000 org rows at revision a1;
the tree's a2 adds a column and upper-cases every name (its downgrade drops the column). Every command
(`trace`, `audit --migrate`, `roundtrip`) must stop with the one line naming env.py, and leave every row
as it was. Alembic's own `generic` template (copied from the installed Alembic at test time) and an env.py
reading DATABASE_URL are the two hostile shapes; pytest-alembic's (`.connect()` on what it is handed)
must work."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import alembic
import psycopg
import pytest
from psycopg import sql

from infra.errors import HarnessError
from infra.migrations.landed import CONTRACT
from infra.migrations.tree import AlembicTree, run
from infra.stack.databases import drop_database

pytestmark = [pytest.mark.safety, pytest.mark.migrations, pytest.mark.infra]

EXAMPLES = Path(__file__).parent / "examples"
MIGRATIONS = Path(__file__).parent.parent / "migrations" / "examples"
ROWS = 10_000


@pytest.fixture
def developer_db(live_stack) -> Iterator[str]:
    """A developer's database next to the harness's: org at revision a1 with 10,000 rows; its URL."""
    admin = live_stack.endpoints.postgres_dsn()
    name = f"developer_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(live_stack.endpoints.postgres_dsn(name)) as conn:
            conn.execute(
                "CREATE TABLE org (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL,"
                " slug text NOT NULL UNIQUE);"
                "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);"
                "INSERT INTO alembic_version VALUES ('a1');"
                "INSERT INTO org (name, slug) SELECT 'org ' || i, 'org-' || i"
                " FROM generate_series(1, 10000) i"
            )
        yield live_stack.endpoints.postgres_url(name)
    finally:
        drop_database(admin, name)


def assert_untouched(live_stack, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(live_stack.endpoints.postgres_dsn(name)) as conn:
        rows = conn.execute("SELECT count(*), count(*) FILTER (WHERE name = lower(name)) FROM org").fetchone()
        columns = [r[0] for r in conn.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = 'org' ORDER BY 1")]  # fmt: skip
        version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    assert rows == (ROWS, ROWS), "every row kept, every name as it was"
    assert columns == ["id", "name", "slug"] and version == [("a1",)]


LOGGING = (
    "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
    "[logger_root]\nlevel = WARNING\nhandlers = console\n"
    "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nformatter = generic\n"
    "[formatter_generic]\nformat = %%(message)s\n"
)
VERSIONS = f"{MIGRATIONS / '_base' / 'versions'} {MIGRATIONS / 'data-loss' / 'versions'}"


def tree_ini(tmp_path: Path, shape: str, url: str, versions: str = VERSIONS) -> Path:
    """An alembic.ini whose env.py is hostile: Alembic's `generic` template (copied from the installed
    Alembic, as `alembic init` writes it, sqlalchemy.url naming the developer's database), or one that
    reads DATABASE_URL."""
    if shape == "generic template":
        env = tmp_path / "generic"
        env.mkdir(exist_ok=True)
        shutil.copy(Path(alembic.__file__).parent / "templates" / "generic" / "env.py", env / "env.py")
        extra = f"sqlalchemy.url = {url.replace('%', '%%')}\n\n{LOGGING}"
    else:
        env, extra = EXAMPLES / "_env_database_url", ""
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        f"[alembic]\nscript_location = {env}\nversion_locations = {versions}\npath_separator = space\n"
        + extra
    )
    return ini


def branch_repo(tmp_path: Path, shape: str, url: str) -> Path:
    """A git repository whose base commit holds a1 and whose working tree adds a2 (for roundtrip)."""
    repo = tmp_path / "repo"
    (repo / "versions").mkdir(parents=True)
    shutil.copy(MIGRATIONS / "_base" / "versions" / "a1_create_org.py", repo / "versions")
    ini = tree_ini(repo, shape, url, versions="%(here)s/versions")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "base")
    shutil.copy(MIGRATIONS / "data-loss" / "versions" / "a2_add_note.py", repo / "versions")
    return ini


def harness(command: list[str], ini: Path, live_stack, database_url: str, tmp_path: Path):
    env = os.environ | {"DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "infra", *command, "--alembic-ini", str(ini),
         "--database-url", live_stack.endpoints.postgres_dsn(), "--report", str(tmp_path / "r.json")],
        capture_output=True, text=True, check=False, timeout=300, env=env, cwd=ini.parent,
    )  # fmt: skip


COMMANDS = {
    "trace": ["trace", "--start", "a1"],
    "trace-from-empty": ["trace"],
    "audit --migrate": ["audit", "--migrate", "--metadata", f"{MIGRATIONS / '_base' / 'models.py'}:metadata"],
    "roundtrip": ["roundtrip", "--base", "HEAD", "--no-old-code"],
}


@pytest.mark.parametrize("shape", ["DATABASE_URL", "generic template"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_developer_database_keeps_every_row(command, shape, developer_db, live_stack, tmp_path):
    if command == "roundtrip":
        ini = branch_repo(tmp_path, shape, developer_db)
    elif shape == "generic template":
        ini = tree_ini(tmp_path, shape, developer_db)
    else:
        ini = EXAMPLES / "foreign-database-url" / "alembic.ini"
    proc = harness(COMMANDS[command], ini, live_stack, developer_db, tmp_path)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]  # beside progress
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1 and "error: env.py at /" in lines[0] and CONTRACT in lines[0], lines
    assert "Hint: " in lines[0] and "stopped before its first statement" in lines[0]
    assert_untouched(live_stack, developer_db)
    password = live_stack.stack.env["POSTGRES_PASSWORD"]
    assert password not in proc.stdout + proc.stderr


def test_env_py_that_migrates_nothing_is_caught(empty_engine, tmp_path):
    """An env.py that never configures a context (or uses a raw driver elsewhere) ran no statement here."""
    env = tmp_path / "env"
    env.mkdir()
    (env / "env.py").write_text("from alembic import context\n")
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        f"[alembic]\nscript_location = {env}\npath_separator = space\n"
        f"version_locations = {MIGRATIONS / '_base' / 'versions'}\n"
    )
    with pytest.raises(Exception, match="ran no statement on the harness's connection") as raised:
        run(AlembicTree(ini), empty_engine, "upgrade", "head")
    assert CONTRACT in str(raised.value) and str(env / "env.py") in str(raised.value)


def test_engine_shaped_env_py_is_handed_the_engine(empty_engine):
    """pytest-alembic's env.py calls `.connect()` on what it is handed: it gets the harness's Engine."""
    tree = AlembicTree(EXAMPLES / "engine-shaped" / "alembic.ini")
    run(tree, empty_engine, "upgrade", "head")
    run(tree, empty_engine, "downgrade", "a1")
    with empty_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "a1"


def test_upgrade_that_leaves_no_version_row_names_the_cause(empty_engine, tmp_path):
    """An env.py that rolls its transaction back (a "dry run") left no alembic_version: never a pass."""
    env = tmp_path / "env"
    env.mkdir()
    (env / "env.py").write_text(
        "from alembic import context\n"
        "connection = context.config.attributes['connection']\n"
        "context.configure(connection=connection, target_metadata=None)\n"
        "transaction = connection.begin()\n"
        "context.run_migrations()\n"
        "transaction.rollback()\n"
    )
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        f"[alembic]\nscript_location = {env}\npath_separator = space\n"
        f"version_locations = {MIGRATIONS / '_base' / 'versions'}\n"
    )
    with pytest.raises(HarnessError, match="left no alembic_version table there") as raised:
        run(AlembicTree(ini), empty_engine, "upgrade", "head")
    assert "rolled its transaction back" in str(raised.value)
