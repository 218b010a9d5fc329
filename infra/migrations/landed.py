"""Did a command migrate the database the harness handed to env.py, or another one?

A user's env.py decides where it migrates. One that ignores `config.attributes["connection"]` (Alembic's
own `generic` template builds an engine from `sqlalchemy.url`; others read `DATABASE_URL`) migrates
the developer's database while the harness judges its untouched scratch database. `Watch` guards a
command: while it runs, a statement that env.py sends through SQLAlchemy to any other database is
stopped before it executes (raising ForeignDatabase), and the statements seen on the harness's engine
are counted. `verify` then checks the effect where it should be: the harness's version table holds the
revisions the command moved to (an env.py using a raw driver is caught there).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import event

from infra.errors import HarnessError
from infra.masking import mask_dsn

CONTRACT = "does not use config.attributes['connection']; it migrated another database"
HINT = (
    "run the migrations on config.attributes['connection'] when it is set, as Alembic's cookbook "
    "'Sharing a Connection across one or more programmatic migration commands' shows "
    "(an env.py that calls .connect() on it is handed the Engine)"
)


class ForeignDatabase(HarnessError):
    """The env.py migrated (or tried to migrate) a database the harness did not hand it."""

    def __init__(self, env_py: Path, detail: str) -> None:
        super().__init__(f"env.py at {env_py} {CONTRACT} ({detail})", HINT)


def _database(url: sa.URL) -> tuple[object, ...]:
    return (url.get_backend_name(), url.host, url.port, url.database, url.query.get("host"))


def shown(url: sa.URL) -> str:
    return mask_dsn(url.render_as_string(hide_password=True))


@dataclass
class Watch:
    """Counts statements on `engine` and stops any on another database, from this thread, while on."""

    engine: sa.Engine
    env_py: Path
    statements: int = 0  # on the harness's engine
    elsewhere: int = 0  # on an engine of env.py's own, to the same database (the trace cannot see them)
    _thread: int = field(default_factory=threading.get_ident)

    def _seen(self, conn: sa.Connection, *_: Any) -> None:
        if threading.get_ident() != self._thread:
            return
        if conn.engine is self.engine:
            self.statements += 1
        elif _database(conn.engine.url) == _database(self.engine.url):
            self.elsewhere += 1
        else:
            raise ForeignDatabase(
                self.env_py, f"it connected to {shown(conn.engine.url)}; stopped before its first statement"
            )

    @contextmanager
    def on(self) -> Iterator[Watch]:
        # On the Engine class: an env.py's own engine, created while the command runs, is covered too.
        event.listen(sa.engine.Engine, "before_cursor_execute", self._seen)
        try:
            yield self
        finally:
            event.remove(sa.engine.Engine, "before_cursor_execute", self._seen)


def wants_engine(exc: AttributeError) -> bool:
    """env.py called an Engine's method (`.connect()`) on the Connection handed over."""
    return exc.name in ("connect", "raw_connection") and isinstance(exc.obj, sa.Connection)


def version_table(env: EnvironmentContext) -> tuple[str, str | None] | None:
    """The version table env.py configured (Alembic's `version_table`, `version_table_schema`)."""
    try:
        ctx = env.get_context()
    except Exception:  # Alembic's own "No context has been configured yet"
        return None
    return ctx.version_table, ctx.version_table_schema


def versions(conn: sa.Connection, table: str, schema: str | None) -> set[str] | None:
    """The revisions in the version table of `conn`'s database; None when there is no such table.
    A connection env.py closed or broke is replaced by a new one of its engine."""
    if conn.closed or conn.invalidated:
        with conn.engine.connect() as fresh:
            return versions(fresh, table, schema)
    version = sa.table(table, sa.column("version_num"), schema=schema)
    try:
        return {str(v) for v in conn.execute(sa.select(version.c.version_num)).scalars()}
    except sa.exc.ProgrammingError:
        return None
    finally:
        if conn.in_transaction():
            conn.rollback()


def verify(
    watch: Watch,
    action: str,
    target: str,
    steps: Sequence[Any],
    version_table: tuple[str, str | None] | None,
    *,
    conn: sa.Connection,
) -> None:
    """Raise unless the command ran on the harness's engine and moved its version table as `steps` say.

    `version_table`: (table, schema) env.py configured, None when it never configured a context."""
    command = f"`{action} {target}`"
    if watch.statements + watch.elsewhere == 0 or version_table is None:
        raise ForeignDatabase(watch.env_py, f"{command} ran no statement on the harness's connection")
    if not steps:
        return
    table, schema = version_table
    found = versions(conn, table, schema)
    name = f"{schema}.{table}" if schema else table
    last = steps[-1]
    if action == "upgrade":
        if not found:
            left = f"no row in {name}" if found is not None else f"no {name} table"
            raise HarnessError(
                f"{command} ran on the harness's database but left {left} there: env.py at "
                f"{watch.env_py} rolled its transaction back, or a revision removed the version row",
                "commit what Alembic runs (context.begin_transaction()); leave the version table to Alembic",
            )
        missing = set(last.to_revisions) - found
        if missing:
            held = ", ".join(sorted(found))
            detail = f"{command} ran, but {name} of the harness's database holds {held}"
            raise ForeignDatabase(watch.env_py, detail)
    elif found and set(last.from_revisions) & found:
        raise ForeignDatabase(
            watch.env_py,
            f"{command} ran, but {name} of the harness's database still holds {', '.join(sorted(found))}",
        )
