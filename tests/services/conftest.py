"""Broken servers for the service checks' negative cases: containers from the live stack's own images,
configured wrong on purpose, and an HTTP server that lets everyone in. All removed after the test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
import pytest

from infra.probes.redis import client
from infra.stack.throwaway import exited, host_port, throwaway_container, wait_until

PG_PASSWORD = "neg-case-password"


@pytest.fixture
def start_container(live_stack) -> Iterator[Callable[..., tuple[Any, int]]]:
    """start(service, port, **options) -> (container, host port on 127.0.0.1), image from the stack."""
    with ExitStack() as stack:

        def start(service: str, port: int, **options: Any) -> tuple[Any, int]:
            image = live_stack.stack.model.services[service].image
            container = stack.enter_context(throwaway_container(image, ports=[port], **options))
            return container, host_port(container, port)

        yield start


@pytest.fixture
def broken_redis(start_container) -> Callable[..., tuple[str, int]]:
    """A redis-server from the stack's image with the given arguments, answering PING (with `password`)."""

    def start(*args: str, password: str | None = None) -> tuple[str, int]:
        container, port = start_container(
            "redis", 6379, entrypoint=["redis-server"], command=list(args), user="redis"
        )

        def pong() -> bool | None:
            conn = client("127.0.0.1", port, password)
            try:
                return True if conn.ping() else None
            finally:
                conn.close()

        wait_until(
            pong,
            f"redis-server in {container.name} to answer PING",
            deadline_s=120,
            give_up=lambda: exited(container),
        )
        return "127.0.0.1", port

    return start


@pytest.fixture
def broken_postgres(start_container) -> Callable[[], tuple[Any, str]]:
    """A PostgreSQL from the stack's image (fresh cluster), once it accepts connections over TCP."""

    def start() -> tuple[Any, str]:
        env = {
            "POSTGRES_USER": "neg",
            "POSTGRES_PASSWORD": PG_PASSWORD,
            "POSTGRES_DB": "neg",
            "POSTGRES_INITDB_ARGS": "--no-sync",  # a throwaway cluster needs no fsync (upstream honours it)
        }
        container, port = start_container("postgres", 5432, environment=env)
        dsn = f"postgresql://neg:{PG_PASSWORD}@127.0.0.1:{port}/neg"

        def connects() -> bool:
            with psycopg.connect(dsn, connect_timeout=2):
                return True

        wait_until(
            connects,
            f"PostgreSQL in {container.name} to accept connections",
            deadline_s=180,
            give_up=lambda: exited(container),
        )
        return container, dsn

    return start


class _OpenS3(BaseHTTPRequestHandler):
    """Answers every request 200 with an empty bucket list, or `status` when the server sets one."""

    def _answer(self) -> None:
        status = getattr(self.server, "status", 200)
        body = b'<?xml version="1.0"?><ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>'
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_HEAD = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def open_http() -> Iterator[Callable[[int], str]]:
    """start(status) -> "127.0.0.1:port" of an HTTP server that answers everything with `status`,
    asking for no credentials at all (like an S3 mock in server mode)."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int = 200) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenS3)
        server.status = status
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
