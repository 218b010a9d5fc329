"""Engine and session factory (SQLAlchemy 2 style), configured from the environment when called.

Settings: DATABASE_URL, or the variables the compose file uses: POSTGRES_USER, POSTGRES_PASSWORD,
POSTGRES_DB, with POSTGRES_HOST defaulting to 127.0.0.1 and POSTGRES_PORT to 5432. Nothing is read
at import time, and no message or repr shows the password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import URL, Connection, Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from schema.errors import translate_integrity_error

DRIVER = "postgresql+psycopg"
_POSTGRES = ("postgresql", "postgres", DRIVER)
_HINT = "check DATABASE_URL, or POSTGRES_HOST / POSTGRES_PORT, and that PostgreSQL is running"


class DatabaseNotConfigured(RuntimeError):
    """No usable database settings; the message names the missing or bad variables."""


class DatabaseUnavailable(RuntimeError):
    """The database is configured but cannot be reached; the message names where (no password)."""


class DatabaseSettings(BaseSettings):
    """Where the database is. Reads the environment when instantiated; see `load_settings()`."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    database_url: SecretStr | None = None
    postgres_user: str | None = None
    postgres_password: SecretStr | None = None
    postgres_db: str | None = None
    postgres_host: str = "127.0.0.1"
    postgres_port: int = Field(default=5432, ge=1, le=65535)
    database_connect_timeout: int = Field(default=10, ge=1, description="seconds to wait for a connection")

    def url(self) -> URL:
        """The SQLAlchemy URL (psycopg 3). Print it with `safe_url()`, never with str() of a secret."""
        raw = self.database_url.get_secret_value() if self.database_url else ""
        if raw:
            return _parse_database_url(raw)
        missing = [
            name
            for name, value in (
                ("POSTGRES_USER", self.postgres_user),
                ("POSTGRES_PASSWORD", self.postgres_password and self.postgres_password.get_secret_value()),
                ("POSTGRES_DB", self.postgres_db),
            )
            if not value
        ]
        if missing:
            raise DatabaseNotConfigured(
                "database not configured: set DATABASE_URL, or POSTGRES_USER, POSTGRES_PASSWORD and "
                f"POSTGRES_DB (missing: {', '.join(missing)}; POSTGRES_HOST defaults to 127.0.0.1, "
                "POSTGRES_PORT to 5432)"
            )
        return URL.create(
            DRIVER,
            username=self.postgres_user,
            password=self.postgres_password.get_secret_value() if self.postgres_password else None,
            host=self.postgres_host,
            port=self.postgres_port,
            database=self.postgres_db,
        )

    def safe_url(self) -> str:
        """The URL with the password replaced by ***."""
        return self.url().render_as_string(hide_password=True)


def _parse_database_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError:
        # The value is not shown: it may hold a password.
        raise DatabaseNotConfigured(
            "DATABASE_URL is not a database URL; expected postgresql+psycopg://user:password@host:port/db"
        ) from None
    if url.drivername not in _POSTGRES:
        raise DatabaseNotConfigured(
            f"DATABASE_URL uses {url.drivername!r}; expected a PostgreSQL URL for psycopg 3 "
            "(postgresql:// or postgresql+psycopg://)"
        )
    return url.set(drivername=DRIVER)


def load_settings() -> DatabaseSettings:
    """DatabaseSettings from the environment; DatabaseNotConfigured naming a malformed variable."""
    try:
        return DatabaseSettings()
    except ValidationError as exc:
        bad = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise DatabaseNotConfigured(f"database settings invalid: {bad}") from None


def make_engine(settings: DatabaseSettings | None = None, **kwargs: Any) -> Engine:
    """An engine with pool_pre_ping, so connections dropped by a restart are replaced, not raised."""
    settings = settings or load_settings()
    connect_args = {"connect_timeout": settings.database_connect_timeout}
    return create_engine(settings.url(), pool_pre_ping=True, connect_args=connect_args, **kwargs)


def connect(engine: Engine) -> Connection:
    """A connection from `engine`; DatabaseUnavailable saying where and why when none can be made."""
    try:
        return engine.connect()
    except OperationalError as exc:
        raise DatabaseUnavailable(_unreachable(engine.url, exc)) from exc


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`. Objects stay readable after commit (expire_on_commit=False)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises.

    It connects on entry, so an unreachable database raises DatabaseUnavailable before the block runs.
    Known constraint violations come out as domain errors (SlugTaken), chained to the IntegrityError.
    """
    with factory() as session:
        try:
            session.connection()
        except OperationalError as exc:
            raise DatabaseUnavailable(_unreachable(session.get_bind().engine.url, exc)) from exc
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            translated = translate_integrity_error(exc)
            if translated is None:
                raise
            raise translated from exc
        except BaseException:
            session.rollback()
            raise


def _unreachable(url: URL, exc: OperationalError) -> str:
    reason = (str(exc.orig) or str(exc)).strip().splitlines()[0]
    return f"cannot connect to {url.render_as_string(hide_password=True)}: {reason}. Hint: {_HINT}"
