"""Where the running stack's services answer on 127.0.0.1, and with which credentials."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from infra.errors import HarnessError
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
    (default POSTGRES_DB); `driver` "postgresql" gives a libpq URL for psycopg.connect."""
    user, password = quote(env["POSTGRES_USER"], safe=""), quote(env["POSTGRES_PASSWORD"], safe="")
    return f"{driver}://{user}:{password}@{host}:{port}/{database or env['POSTGRES_DB']}"


@dataclass(frozen=True)
class Endpoints:
    """Connection facts for the OrderFlow services, from the stack's env and its running ports."""

    env: Mapping[str, str]
    status: StackStatus

    def postgres_url(self, database: str | None = None, driver: str = SQLALCHEMY_DRIVER) -> str:
        host, port = published(self.status, "postgres", 5432)
        return postgres_url(self.env, host, port, database, driver)

    def postgres_dsn(self, database: str | None = None) -> str:
        """A libpq URL for psycopg.connect."""
        return self.postgres_url(database, driver="postgresql")

    def redis(self) -> tuple[str, int, str]:
        host, port = published(self.status, "redis", 6379)
        return host, port, self.env["REDIS_PASSWORD"]

    def s3(self) -> tuple[str, str, str]:
        """(endpoint host:port, access key, secret key)."""
        host, port = published(self.status, "minio", 9000)
        return f"{host}:{port}", self.env["MINIO_ROOT_USER"], self.env["MINIO_ROOT_PASSWORD"]
