"""Session fixtures for the checks and the harness's own tests: one isolated stack per session,
shared by pytest-xdist workers; option and marker plumbing. The work itself lives in `infra`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import pytest
import sqlalchemy as sa

from infra.compose.model import ComposeFiles
from infra.config import Budgets, HarnessConfig, alembic_ini, metadata_spec
from infra.masking import SecretEnv
from infra.migrations.checks import load_metadata
from infra.migrations.tree import AlembicTree
from infra.registry import all_checks
from infra.stack import shared as session
from infra.stack.databases import scratch_database, scratch_engine, with_database
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_env, isolated_project_name
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.signals import terminate_as_interrupt
from infra.stack.state import Lease

SESSION_VAR = "ORDERFLOW_SESSION_STACK"  # project + lease, set by the controller, inherited by xdist workers
_OWNS_STACK = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("orderflow")
    group.addoption("--compose-file", help="compose file under test (env ORDERFLOW_COMPOSE_FILE)")
    group.addoption(
        "--env-file", help="env file for it (env ORDERFLOW_ENV_FILE; default .env or .env.example)"
    )
    group.addoption("--alembic-ini", help="alembic.ini of the schema under test (env ORDERFLOW_ALEMBIC_INI)")
    group.addoption(
        "--profile",
        choices=["auto", "upstream", "offline"],
        default="auto",
        help="images for the live stack: upstream, offline (built here), or auto (default)",
    )
    group.addoption(
        "--startup-budget",
        type=float,
        help="seconds per service to healthy (env ORDERFLOW_STARTUP_BUDGET_S; 120)",
    )
    group.addoption(
        "--migration-budget", type=float, help="seconds for migrations (env ORDERFLOW_MIGRATION_BUDGET_S; 10)"
    )


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """The controller names the session's stack and holds its lease (so a prune leaves it alone);
    SIGTERM ends the session like Ctrl-C, through unconfigure, so the stack is removed."""
    if _is_controller(config) and SESSION_VAR not in os.environ:
        lease = Lease.mine("pytest session")
        os.environ[SESSION_VAR] = json.dumps({"project": isolated_project_name(), "lease": asdict(lease)})
        config.stash[_OWNS_STACK] = True
        terminate_as_interrupt()


def _session_stack() -> tuple[str, Lease]:
    doc = json.loads(os.environ[SESSION_VAR])
    return doc["project"], Lease(**doc["lease"])


def pytest_unconfigure(config: pytest.Config) -> None:
    if _is_controller(config) and config.stash.get(_OWNS_STACK, False):
        project, _ = _session_stack()
        try:
            session.stop(_harness_config(config), project)
        finally:
            os.environ.pop(SESSION_VAR, None)


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
def budgets(pytestconfig: pytest.Config) -> Budgets:
    """The seed's time budgets (infra.config), changed by --startup-budget / --migration-budget."""
    return Budgets.resolve(
        pytestconfig.getoption("--startup-budget"), pytestconfig.getoption("--migration-budget")
    )


@pytest.fixture(scope="session")
def alembic_tree(pytestconfig: pytest.Config) -> AlembicTree:
    """The Alembic tree under test: --alembic-ini, else ORDERFLOW_ALEMBIC_INI, else schema/alembic.ini."""
    return AlembicTree(alembic_ini(pytestconfig.getoption("--alembic-ini")))


@pytest.fixture(scope="session")
def target_metadata() -> sa.MetaData:
    """The models the schema must agree with: ORDERFLOW_TARGET_METADATA, else schema.models:metadata."""
    return load_metadata(metadata_spec())


@pytest.fixture(scope="session")
def compose_files(harness_config: HarnessConfig) -> ComposeFiles:
    """The compose file under test (base file only; profiles add their overrides when running)."""
    return harness_config.base_files()


@pytest.fixture(scope="session")
def compose_env(harness_config: HarnessConfig) -> SecretEnv:
    """Env values that resolve every variable: the env file's, blanks filled with throwaway secrets."""
    return SecretEnv(isolated_env(harness_config))


@dataclass(frozen=True)
class LiveStack:
    stack: Stack
    status: StackStatus

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(self.stack.env, self.status, self.stack.passfile)


@pytest.fixture(scope="session")
def live_stack(pytestconfig: pytest.Config, harness_config: HarnessConfig, budgets: Budgets) -> LiveStack:
    """The session's isolated stack: own project name, free ports; started once, shared by workers."""
    project, lease = _session_stack()
    stack, status = session.start_or_attach(
        harness_config,
        project,
        lease,
        requested_profile=pytestconfig.getoption("--profile"),
        deadline_s=budgets.startup_s,
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
    """A failed live check carries the stack's diagnostics (health-check log, recent logs)."""
    report = yield
    if report.failed and call.when == "call" and item.get_closest_marker("infra"):
        live = item.funcargs.get("live_stack") if hasattr(item, "funcargs") else None
        if isinstance(live, LiveStack):
            report.sections.append(("stack diagnostics", live.stack.diagnostics()))
    return report
