"""Throwaway databases on a PostgreSQL server: created empty, dropped afterwards, and found again when the
run that created one was killed.

Each scratch database carries its owner in its comment (`COMMENT ON DATABASE`: pid, host and the
process's start time, the lease stacks have in infra.stack.state): `drop_abandoned_databases` drops
those whose owner is dead; every new scratch database and `prune-test-stacks` call it.
`scratch_engine` also removes the cluster-wide objects a run created (infra.stack.cluster)."""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import sqlalchemy as sa
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from infra.errors import HarnessError
from infra.masking import Secret, mask_dsn
from infra.stack.cluster import SCRATCH_MARK, ClusterWatch
from infra.stack.endpoints import postgres_url
from infra.stack.state import Lease, process_start

OWNER_KEY = SCRATCH_MARK  # marks a scratch database's comment


def owner_comment() -> str:
    """The comment naming this process as the owner of a scratch database."""
    return json.dumps({OWNER_KEY: 1, "pid": os.getpid(), "host": socket.gethostname(),
                       "started": process_start(os.getpid())})  # fmt: skip


def _abandoned(comment: str | None) -> bool:
    """Whether a database's comment names a dead owner on this host (another host's: unknown, kept)."""
    try:
        owner = json.loads(comment or "")
    except json.JSONDecodeError:
        return False
    if not isinstance(owner, dict) or owner.get(OWNER_KEY) != 1 or owner.get("host") != socket.gethostname():
        return False
    return not Lease(int(owner.get("pid", 0)), str(owner.get("started", "")), "scratch database").alive()


def drop_abandoned_databases(admin_dsn: str) -> list[str]:
    """Drop the scratch databases whose owning run is dead (killed, crashed); their names."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
        rows = conn.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE shobj_description(oid, 'pg_database') LIKE %s",
            (f"%{OWNER_KEY}%",),
        ).fetchall()
        dropped = []
        for name, comment in rows:
            if _abandoned(comment):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                dropped.append(str(name))
        return dropped


def drop_abandoned_on_stack(env: Mapping[str, str]) -> list[str]:
    """For prune-test-stacks: on the PostgreSQL of a stack (its saved env), drop the scratch databases
    of dead runs; nothing when it does not answer."""
    try:
        dsn = postgres_url(env, "127.0.0.1", int(env["POSTGRES_PORT"]), driver="postgresql")
        return drop_abandoned_databases(dsn)
    except (KeyError, ValueError, psycopg.Error):
        return []


def _user(dsn: str) -> str:
    try:
        return str(conninfo_to_dict(dsn).get("user") or "the connecting user")
    except psycopg.ProgrammingError:
        return "the connecting user"


def create_database(admin_dsn: str, prefix: str = "scratch") -> str:
    """Create an empty database with a unique name, its owner (this process) in its comment; returns
    the name. Scratch databases of dead runs on the server are dropped first."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    try:
        drop_abandoned_databases(admin_dsn)
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), owner_comment())
            )
    except psycopg.errors.InsufficientPrivilege as exc:
        user = _user(admin_dsn)
        raise HarnessError(
            f"{user} may not create databases on {mask_dsn(admin_dsn)} ({' '.join(str(exc).split())}); "
            "the harness migrates throwaway databases only, never an existing one",
            f"grant it: ALTER ROLE {user} CREATEDB; or pass --database-url with a user that has CREATEDB",
        ) from None
    except psycopg.OperationalError as exc:
        reason = mask_dsn(" ".join(str(exc).split()))  # libpq's message spans lines; ours is one
        raise HarnessError(
            f"cannot connect to PostgreSQL to create a scratch database: {reason}",
            "is the stack up? run `python -m infra status`",
        ) from None
    return name


def drop_database(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _drop_or_say(admin_dsn: str, name: str) -> bool:
    """Drop a scratch database; when the server cannot be reached (it restarted, it is gone), say so in
    one line: its comment names this run, so the next run or prune-test-stacks drops it."""
    try:
        drop_database(admin_dsn, name)
    except psycopg.OperationalError as exc:
        print(
            f"warning: scratch database {name} left on the server ({' '.join(str(exc).split())[:200]}); "
            "the next run or `python -m infra prune-test-stacks` drops it",
            file=sys.stderr,
        )
        return False
    return True


def with_database(dsn: str, name: str) -> str:
    """The same URL pointing at another database (its query, e.g. `passfile`, kept)."""
    parts = urlsplit(dsn)
    moved = urlunsplit(parts._replace(path=f"/{name}"))
    return Secret(moved) if isinstance(dsn, Secret) else moved


@contextmanager
def scratch_database(admin_dsn: str, prefix: str = "scratch") -> Iterator[str]:
    """Yield the name of a fresh empty database; drop it on exit, whatever happened."""
    name = create_database(admin_dsn, prefix)
    try:
        yield name
    finally:
        _drop_or_say(admin_dsn, name)


@contextmanager
def scratch_engine(
    admin_dsn: str, url: str, prefix: str = "scratch", cleaned: list[str] | None = None
) -> Iterator[sa.Engine]:
    """An engine on a fresh empty database next to `url`'s; both gone on exit (pool first), and so are
    the roles, tablespaces, databases and ALTER SYSTEM settings its statements created (one line each
    in `cleaned`)."""
    watch: ClusterWatch | None = None
    name = ""
    try:
        with scratch_database(admin_dsn, prefix) as name:
            engine = sa.create_engine(
                with_database(url, name), pool_size=2
            )  # reused: connecting costs ~20 ms
            try:
                watch = ClusterWatch.start(admin_dsn, engine)
                yield engine
            finally:
                engine.dispose()
    finally:
        if watch is not None:
            _clean_cluster(watch, name, cleaned)


def _clean_cluster(watch: ClusterWatch, name: str, cleaned: list[str] | None) -> None:
    try:
        done = watch.clean_up(name)
    except psycopg.OperationalError as exc:
        done = [f"cluster objects not checked: {' '.join(str(exc).split())[:200]}"]
    for line in done:
        print(f"note: {line}", file=sys.stderr)
    if cleaned is not None:
        cleaned += done


@contextmanager
def rolled_back(dsn: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    """A connection whose one transaction is rolled back on exit: a test changes the database freely."""
    with psycopg.connect(dsn) as conn:
        try:
            yield conn
        finally:
            conn.rollback()
