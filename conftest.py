"""Session fixtures for the checks and the harness's own tests: one isolated stack per session,
shared by pytest-xdist workers; option and marker plumbing. The work itself lives in `infra`."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.compose.model import ComposeFiles
from infra.config import METADATA_VAR, HarnessConfig, alembic_ini, metadata_spec
from infra.migrations.checks import load_metadata
from infra.migrations.policy import POLICY_VAR, Policy, Prepare
from infra.migrations.policy import load as load_policy
from infra.migrations.policy import prepare_hook as make_prepare_hook
from infra.migrations.tree import AlembicTree
from infra.registry import all_checks
from infra.stack import shared as session
from infra.stack.databases import scratch_database, scratch_engine, with_database
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_env
from infra.stack.lifecycle import Stack, StackStatus

STATE_DIR_VAR = "ORDERFLOW_STACK_STATE_DIR"  # set by the controller, inherited by xdist workers
_OWNS_STATE = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("orderflow")
    group.addoption("--compose-file", help="compose file under test (env ORDERFLOW_COMPOSE_FILE)")
    group.addoption(
        "--env-file", help="env file for it (env ORDERFLOW_ENV_FILE; default .env or .env.example)"
    )
    group.addoption("--alembic-ini", help="alembic.ini of the schema under test (env ORDERFLOW_ALEMBIC_INI)")
    group.addoption(
        "--metadata",
        help="the models: module:attr.path (a MetaData or a declarative base), then optionally "
        ",model.module,... to import first (env ORDERFLOW_TARGET_METADATA; default schema.models:metadata)",
    )
    group.addoption(
        "--migrations-config",
        help="pyproject-style TOML with [tool.orderflow.migrations]: irreversible revisions, prepare "
        "(env ORDERFLOW_MIGRATIONS_CONFIG; default: the nearest pyproject.toml above the alembic.ini)",
    )
    group.addoption(
        "--prepare", help="SQL file or module:callable(connection) run on each empty database first"
    )
    group.addoption(
        "--profile",
        choices=["auto", "upstream", "offline"],
        default="auto",
        help="images for the live stack: upstream, offline (built here), or auto (default)",
    )


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    if _is_controller(config) and STATE_DIR_VAR not in os.environ:
        os.environ[STATE_DIR_VAR] = tempfile.mkdtemp(prefix="orderflow-stack-")
        config.stash[_OWNS_STATE] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if _is_controller(config) and config.stash.get(_OWNS_STATE, False):
        state_dir = Path(os.environ.pop(STATE_DIR_VAR))
        try:
            session.stop(_harness_config(config), state_dir)
        finally:
            shutil.rmtree(state_dir, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every `check(id)` / `negative(id)` marker must name a declared check: typos fail loudly."""
    known = all_checks()
    for item in items:
        for name in ("check", "negative"):
            for mark in item.iter_markers(name):
                check_id = mark.args[0] if mark.args else None
                if check_id not in known:
                    raise pytest.UsageError(
                        f"{item.nodeid}: @{name}({check_id!r}) names no declared check "
                        "(declare it in infra/registry/)"
                    )


def _harness_config(config: pytest.Config) -> HarnessConfig:
    return HarnessConfig.resolve(config.getoption("--compose-file"), config.getoption("--env-file"))


@pytest.fixture(scope="session")
def harness_config(pytestconfig: pytest.Config) -> HarnessConfig:
    return _harness_config(pytestconfig)


@pytest.fixture(scope="session")
def alembic_tree(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> AlembicTree:
    """The Alembic tree under test: --alembic-ini, else ORDERFLOW_ALEMBIC_INI, else schema/alembic.ini.
    The models are loaded first when they can be, so they are recorded before any revision file is
    imported (see infra.migrations.checks.models_as_loaded)."""
    with contextlib.suppress(pytest.UsageError):
        request.getfixturevalue("target_metadata")
    return AlembicTree(alembic_ini(pytestconfig.getoption("--alembic-ini")))


@pytest.fixture(scope="session")
def target_metadata(pytestconfig: pytest.Config) -> sa.MetaData:
    """The models the schema must agree with: --metadata, else ORDERFLOW_TARGET_METADATA, else
    schema.models:metadata. Another Alembic tree with OrderFlow's models would compare two unrelated
    schemas (every table a finding): that is a usage error, not a result."""
    explicit = pytestconfig.getoption("--metadata") or os.environ.get(METADATA_VAR)
    if not explicit and alembic_ini(pytestconfig.getoption("--alembic-ini")) != alembic_ini(None, {}):
        raise pytest.UsageError(
            "--alembic-ini points at another Alembic tree but --metadata is not given: the drift checks "
            "would compare it with OrderFlow's models. Pass --metadata package.models:Base"
        )
    return load_metadata(metadata_spec(explicit))


@pytest.fixture(scope="session")
def migration_policy(pytestconfig: pytest.Config, alembic_tree: AlembicTree) -> Policy:
    """Revisions declared irreversible, and the prepare hook, from [tool.orderflow.migrations]."""
    chosen = pytestconfig.getoption("--migrations-config") or os.environ.get(POLICY_VAR)
    return load_policy(Path(chosen) if chosen else None, alembic_tree.ini)


@pytest.fixture(scope="session")
def prepare_hook(pytestconfig: pytest.Config, migration_policy: Policy) -> Prepare | None:
    return make_prepare_hook(migration_policy, pytestconfig.getoption("--prepare"))


@pytest.fixture(scope="session")
def compose_files(harness_config: HarnessConfig) -> ComposeFiles:
    """The compose file under test (base file only; profiles add their overrides when running)."""
    return harness_config.base_files()


@pytest.fixture(scope="session")
def compose_env(harness_config: HarnessConfig) -> dict[str, str]:
    """Env values that resolve every variable: the env file's, blanks filled with throwaway secrets."""
    return isolated_env(harness_config)


@dataclass(frozen=True)
class LiveStack:
    stack: Stack
    status: StackStatus

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.stack.env, self.status)


@pytest.fixture(scope="session")
def live_stack(pytestconfig: pytest.Config, harness_config: HarnessConfig) -> LiveStack:
    """The session's isolated stack: own project name, free ports; started once, shared by workers."""
    stack, status = session.start_or_attach(
        harness_config, Path(os.environ[STATE_DIR_VAR]), pytestconfig.getoption("--profile")
    )
    return LiveStack(stack, status)


@pytest.fixture
def scratch_database_url(live_stack: LiveStack) -> Iterator[str]:
    """A fresh empty database on the live stack (no extensions), dropped after the test."""
    admin = live_stack.endpoints.postgres_dsn()
    with scratch_database(admin) as name:
        yield with_database(live_stack.endpoints.postgres_url(), name)


@pytest.fixture
def empty_engine(live_stack: LiveStack) -> Iterator[sa.Engine]:
    """A SQLAlchemy engine on a fresh empty database of the live stack, dropped afterwards."""
    endpoints = live_stack.endpoints
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "empty") as engine:
        yield engine


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed live check carries the stack's diagnostics (health-check log, recent logs), when the
    failure involves the stack: not for a finding about the user's migrations or models."""
    report = yield
    finding = call.excinfo is not None and call.excinfo.errisinstance(AssertionError)
    involves_stack = not (finding and item.get_closest_marker("migrations"))
    if report.failed and call.when == "call" and item.get_closest_marker("infra") and involves_stack:
        live = item.funcargs.get("live_stack") if hasattr(item, "funcargs") else None
        if isinstance(live, LiveStack):
            report.sections.append(("stack diagnostics", live.stack.diagnostics()))
    return report
