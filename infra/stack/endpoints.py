"""Where the running stack's services answer on 127.0.0.1, and with which credentials.

PostgreSQL URLs carry no password: libpq reads it from the stack's 0600 password file (`passfile`),
so a DSN can show up in a traceback, a pytest frame or JUnit XML without leaking anything. Other
secrets come back as `Secret`, whose repr is masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from infra.errors import HarnessError
from infra.masking import Secret
from infra.stack.lifecycle import StackStatus


def published(status: StackStatus, service: str, container_port: int) -> tuple[str, int]:
    """Host address and port the engine actually bound for a service's container port."""
    try:
        binding = status.services[service].ports[f"{container_port}/tcp"]
    except KeyError:
        raise HarnessError(
            f"service {service} publishes no host port for {container_port}/tcp",
            "publish it in the compose file",
        ) from None
    host, _, port = binding.rpartition(":")
    return host, int(port)


SQLALCHEMY_DRIVER = "postgresql+psycopg"


def postgres_url(
    env: Mapping[str, str], host: str, port: int, database: str | None = None, driver: str = SQLALCHEMY_DRIVER
) -> str:
    """The URL of PostgreSQL at host:port with the env's POSTGRES_USER/PASSWORD (quoted) and database
    (default POSTGRES_DB); `driver` "postgresql" gives a libpq URL for psycopg.connect. It carries the
    password, so it comes back as a `Secret` (masked repr)."""
    user, password = quote(env["POSTGRES_USER"], safe=""), quote(env["POSTGRES_PASSWORD"], safe="")
    return Secret(f"{driver}://{user}:{password}@{host}:{port}/{database or env['POSTGRES_DB']}")


@dataclass(frozen=True)
class Endpoints:
    """Connection facts for the OrderFlow services, from the stack's env and its running ports."""

    env: Mapping[str, str] = field(repr=False)
    status: StackStatus
    passfile: Path | None = None  # when set (and present), URLs name it instead of the password

    def postgres_url(self, database: str | None = None, driver: str = SQLALCHEMY_DRIVER) -> str:
        host, port = published(self.status, "postgres", 5432)
        user = quote(self.env["POSTGRES_USER"], safe="")
        db = database or self.env["POSTGRES_DB"]
        if self.passfile is not None and self.passfile.is_file():
            return f"{driver}://{user}@{host}:{port}/{db}?passfile={quote(str(self.passfile), safe='/')}"
        return postgres_url(self.env, host, port, database, driver)

    def postgres_dsn(self, database: str | None = None) -> str:
        """A libpq URL for psycopg.connect."""
        return self.postgres_url(database, driver="postgresql")

    def redis(self) -> tuple[str, int, str]:
        host, port = published(self.status, "redis", 6379)
        return host, port, Secret(self.env["REDIS_PASSWORD"])

    def s3(self) -> tuple[str, str, str]:
        """(endpoint host:port, access key, secret key)."""
        host, port = published(self.status, "minio", 9000)
        return f"{host}:{port}", self.env["MINIO_ROOT_USER"], Secret(self.env["MINIO_ROOT_PASSWORD"])
