"""Engine and session factory (SQLAlchemy 2 style), configured from the environment when called.

Settings: DATABASE_URL, or the variables the compose file uses (POSTGRES_USER, POSTGRES_PASSWORD,
POSTGRES_DB, with POSTGRES_HOST defaulting to 127.0.0.1 and POSTGRES_PORT to 5432).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import URL, Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

DRIVER = "postgresql+psycopg"


class DatabaseNotConfigured(RuntimeError):
    """No usable database settings; the message names the missing variables."""


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: SecretStr | None = None
    postgres_user: str | None = None
    postgres_password: SecretStr | None = None
    postgres_db: str | None = None
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432

    def url(self) -> URL:
        """The SQLAlchemy URL (render it with `hide_password=True` when printing)."""
        if self.database_url is not None:
            url = make_url(self.database_url.get_secret_value())
            return url.set(drivername=DRIVER) if url.drivername in ("postgresql", "postgres") else url
        missing = [
            name
            for name, value in (
                ("POSTGRES_USER", self.postgres_user),
                ("POSTGRES_PASSWORD", self.postgres_password),
                ("POSTGRES_DB", self.postgres_db),
            )
            if not value
        ]
        if missing:
            raise DatabaseNotConfigured(
                f"database not configured: set DATABASE_URL, or POSTGRES_USER, POSTGRES_PASSWORD and "
                f"POSTGRES_DB (missing: {', '.join(missing)})"
            )
        assert self.postgres_password is not None  # checked above; narrows the type for mypy
        return URL.create(
            DRIVER,
            username=self.postgres_user,
            password=self.postgres_password.get_secret_value(),
            host=self.postgres_host,
            port=self.postgres_port,
            database=self.postgres_db,
        )


def make_engine(settings: DatabaseSettings | None = None, **kwargs: object) -> Engine:
    """An engine with pool_pre_ping, so connections dropped by a restart are replaced, not raised."""
    url = (settings or DatabaseSettings()).url()
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10}, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back when it raises."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
