"""Throwaway databases on the stack's PostgreSQL: created empty, dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg
import sqlalchemy as sa
from psycopg import sql

from infra.errors import HarnessError
from infra.masking import Secret


def create_database(admin_dsn: str, prefix: str = "scratch") -> str:
    """Create an empty database with a unique name; returns the name."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    try:
        with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())  # libpq's message spans lines; ours is one
        raise HarnessError(
            f"cannot connect to PostgreSQL to create a scratch database: {reason}",
            "is the stack up? run `python -m infra status`",
        ) from None
    return name


def drop_database(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


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
        drop_database(admin_dsn, name)


@contextmanager
def scratch_engine(admin_dsn: str, url: str, prefix: str = "scratch") -> Iterator[sa.Engine]:
    """An engine on a fresh empty database next to `url`'s; both gone on exit (pool first)."""
    with scratch_database(admin_dsn, prefix) as name:
        engine = sa.create_engine(with_database(url, name), pool_size=2)  # reused: connecting costs ~20 ms
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def rolled_back(dsn: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection whose one transaction is rolled back on exit: a test changes the database freely."""
    with psycopg.connect(dsn) as conn:
        try:
            yield conn
        finally:
            conn.rollback()
