"""The harness's fixtures for the schema under test: the Alembic tree, the models, the migration policy,
and the PostgreSQL server the migration checks use (the user's `--orderflow-database-url`, else the
session's stack, which then runs PostgreSQL only when no collected check needs more)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa

from infra import config as knobs
from infra.masking import Secret
from infra.migrations import driver
from infra.migrations.checks import load_metadata
from infra.migrations.policy import Policy, Prepare
from infra.migrations.policy import load as load_policy
from infra.migrations.policy import prepare_hook as make_prepare_hook
from infra.migrations.tree import AlembicTree
from infra.stack.databases import scratch_database, scratch_engine, with_database
from pytest_orderflow.harness import project_start


@pytest.fixture(scope="session")
def alembic_tree(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> AlembicTree:
    """The Alembic tree under test: --orderflow-alembic-ini, else ORDERFLOW_ALEMBIC_INI, else the
    project's [tool.orderflow] alembic-ini, else alembic.ini in the rootdir. The models are loaded first
    when they can be, so they are recorded before any revision file is imported (see
    infra.migrations.checks.models_as_loaded)."""
    python = pytestconfig.getoption("--orderflow-python")
    if not python:  # the project's own interpreter loads its models itself
        with contextlib.suppress(pytest.skip.Exception, pytest.UsageError):
            request.getfixturevalue("target_metadata")
    ini = knobs.alembic_ini(
        pytestconfig.getoption("--orderflow-alembic-ini"), start=project_start(pytestconfig)
    )
    policy = load_policy(
        knobs.migrations_config(pytestconfig.getoption("--orderflow-migrations-config")), ini
    )
    chosen = driver.choose(knobs.driver(pytestconfig.getoption("--orderflow-driver")), policy.driver)
    return AlembicTree(ini).with_driver(chosen).with_python(Path(python) if python else None)


@pytest.fixture(scope="session")
def models_spec(pytestconfig: pytest.Config) -> str:
    """Where the models the schema must agree with live (`module:attr`): --orderflow-metadata, else
    ORDERFLOW_TARGET_METADATA, else the project's [tool.orderflow] metadata (only for the project's own
    Alembic tree: another tree with them would compare two unrelated schemas, every table a finding).
    None named: the checks that compare models with migrations skip and say so."""
    start = project_start(pytestconfig)
    explicit = knobs.metadata_given(pytestconfig.getoption("--orderflow-metadata"))
    ini = knobs.alembic_ini(pytestconfig.getoption("--orderflow-alembic-ini"), start=start)
    own_tree = ini.resolve() == knobs.alembic_ini(None, {}, start=start).resolve()
    spec = explicit or (knobs.project_metadata(start) if own_tree else None)
    if not spec:
        pytest.skip(
            "no models to compare the migrations with: pass --orderflow-metadata package.models:Base "
            "(or set metadata in [tool.orderflow] of pyproject.toml)"
        )
    return spec


@pytest.fixture(scope="session")
def target_metadata(models_spec: str) -> sa.MetaData:
    """The models named by `models_spec`, loaded in this process."""
    return load_metadata(models_spec)


@pytest.fixture(scope="session")
def migration_policy(pytestconfig: pytest.Config, alembic_tree: AlembicTree) -> Policy:
    """Revisions declared irreversible, and the prepare hook, from [tool.orderflow.migrations]."""
    return load_policy(
        knobs.migrations_config(pytestconfig.getoption("--orderflow-migrations-config")), alembic_tree.ini
    )


@pytest.fixture(scope="session")
def prepare_hook(pytestconfig: pytest.Config, migration_policy: Policy) -> Prepare | None:
    """Builds the schema the history starts on (--orderflow-prepare, else the policy's `prepare`)."""
    return make_prepare_hook(migration_policy, pytestconfig.getoption("--orderflow-prepare"))


@pytest.fixture(scope="session")
def base_ref(pytestconfig: pytest.Config) -> str:
    """The ref whose merged revisions must be unchanged: --orderflow-base-ref, else ORDERFLOW_BASE_REF,
    else HEAD."""
    return knobs.base_ref(pytestconfig.getoption("--orderflow-base-ref"))


@dataclass(frozen=True)
class PostgresServer:
    """A PostgreSQL server to make throwaway databases on: a libpq URL for the admin connection and a
    SQLAlchemy URL (both masked when they carry a password)."""

    admin_dsn: str
    url: str

    @classmethod
    def from_url(cls, url: str) -> PostgresServer:
        """From the user's URL (`postgresql://` or `postgresql+driver://`)."""
        parts = urlsplit(url)
        scheme = parts.scheme.split("+", 1)[0]
        if scheme not in ("postgresql", "postgres"):
            raise pytest.UsageError(f"--orderflow-database-url: {parts.scheme}:// is not a PostgreSQL URL")
        libpq = urlunsplit(parts._replace(scheme="postgresql"))
        driver = parts.scheme if "+" in parts.scheme else "postgresql+psycopg"
        return cls(Secret(libpq), Secret(urlunsplit(parts._replace(scheme=driver))))


@pytest.fixture(scope="session")
def postgres_server(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> PostgresServer:
    """--orderflow-database-url (ORDERFLOW_DATABASE_URL), else the session stack's PostgreSQL."""
    given = knobs.database_url(pytestconfig.getoption("--orderflow-database-url"))
    if given:
        return PostgresServer.from_url(given)
    endpoints = request.getfixturevalue("live_stack").endpoints
    return PostgresServer(endpoints.postgres_dsn(), endpoints.postgres_url())


@pytest.fixture
def scratch_database_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh empty database on the server (no extensions), dropped after the test."""
    with scratch_database(postgres_server.admin_dsn) as name:
        yield with_database(postgres_server.url, name)


@pytest.fixture
def empty_engine(postgres_server: PostgresServer) -> Iterator[sa.Engine]:
    """A SQLAlchemy engine on a fresh empty database of the server, dropped afterwards."""
    with scratch_engine(postgres_server.admin_dsn, postgres_server.url, "empty") as engine:
        yield engine
