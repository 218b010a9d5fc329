"""Database settings, engine and sessions: configuration errors and an unreachable server."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from schema.database import (
    DatabaseNotConfigured,
    DatabaseSettings,
    DatabaseUnavailable,
    connect,
    load_settings,
    make_engine,
    make_session_factory,
    session_scope,
)

pytestmark = pytest.mark.schema
VARIABLES = (
    "DATABASE_URL",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "DATABASE_CONNECT_TIMEOUT",
)
SECRET = "s3cr3t-Pa55"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A clean slate: none of the database variables set."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_nothing_set_names_every_variable(env):
    with pytest.raises(DatabaseNotConfigured) as caught:
        load_settings().url()
    message = str(caught.value)
    assert "set DATABASE_URL, or POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB" in message
    assert "missing: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB" in message


def test_only_the_missing_variable_is_named(env):
    env.setenv("POSTGRES_USER", "app")
    env.setenv("POSTGRES_DB", "orderflow")
    with pytest.raises(DatabaseNotConfigured, match=r"\(missing: POSTGRES_PASSWORD;"):
        make_engine()


def test_postgres_variables_build_a_psycopg_url(env):
    env.setenv("POSTGRES_USER", "app")
    env.setenv("POSTGRES_PASSWORD", SECRET)
    env.setenv("POSTGRES_DB", "orderflow")
    settings = load_settings()
    url = settings.url()
    assert (url.drivername, url.host, url.port, url.database) == (
        "postgresql+psycopg",
        "127.0.0.1",
        5432,
        "orderflow",
    )
    assert url.password == SECRET
    assert settings.safe_url() == "postgresql+psycopg://app:***@127.0.0.1:5432/orderflow"


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_database_url_wins_and_gets_the_psycopg_driver(env, scheme):
    env.setenv("DATABASE_URL", f"{scheme}://app:{SECRET}@db.internal:6543/orders")
    env.setenv("POSTGRES_USER", "ignored")
    url = load_settings().url()
    assert (
        url.render_as_string(hide_password=False)
        == f"postgresql+psycopg://app:{SECRET}@db.internal:6543/orders"
    )


def test_a_bad_database_url_is_named_but_not_shown(env):
    env.setenv("DATABASE_URL", f"not a url {SECRET}")
    with pytest.raises(DatabaseNotConfigured, match="DATABASE_URL is not a database URL") as caught:
        load_settings().url()
    assert SECRET not in str(caught.value)


def test_another_database_is_refused(env):
    env.setenv("DATABASE_URL", "mysql://app:pw@localhost/orders")
    with pytest.raises(DatabaseNotConfigured, match="DATABASE_URL uses 'mysql'"):
        load_settings().url()


def test_a_bad_port_is_named(env):
    env.setenv("POSTGRES_PORT", "fivefourthreetwo")
    with pytest.raises(DatabaseNotConfigured, match="POSTGRES_PORT"):
        load_settings()


def test_the_password_never_shows(env):
    env.setenv("DATABASE_URL", f"postgresql://app:{SECRET}@localhost/orders")
    env.setenv("POSTGRES_PASSWORD", SECRET)
    settings = load_settings()
    for shown in (repr(settings), str(settings), settings.safe_url(), repr(make_engine(settings))):
        assert SECRET not in shown


def test_settings_are_read_when_asked_not_at_import(env):
    env.setenv("DATABASE_URL", "postgresql://a:b@first/one")
    first = make_engine()
    env.setenv("DATABASE_URL", "postgresql://a:b@second/two")
    second = make_engine()
    assert (first.url.host, second.url.host) == ("first", "second")
    assert first.pool._pre_ping  # type: ignore[attr-defined]


def unreachable_engine() -> sa.Engine:
    url = f"postgresql://app:{SECRET}@127.0.0.1:{closed_port()}/orders"
    return make_engine(DatabaseSettings(database_url=url, database_connect_timeout=2))


def test_an_unreachable_database_says_where(env):
    engine = unreachable_engine()
    with pytest.raises(
        DatabaseUnavailable, match=r"cannot connect to postgresql\+psycopg://app:\*\*\*@127\.0\.0\.1:"
    ):
        connect(engine)


def test_a_session_on_an_unreachable_database_fails_before_the_block(env):
    ran = []
    factory = make_session_factory(unreachable_engine())
    with (
        pytest.raises(DatabaseUnavailable, match="Hint: check DATABASE_URL") as caught,
        session_scope(factory),
    ):
        ran.append(True)
    assert not ran
    assert SECRET not in str(caught.value)
