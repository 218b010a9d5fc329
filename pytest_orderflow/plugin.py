"""The plugin: options, markers' validation and coverage, and session fixtures (one isolated stack per
session, shared by pytest-xdist workers). The work itself lives in `infra`."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Generator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa

from infra import config as knobs
from infra.compose.model import ComposeFiles
from infra.config import Budgets, HarnessConfig
from infra.errors import HarnessError
from infra.findings import Check, check_of
from infra.masking import SecretEnv
from infra.migrations import driver
from infra.migrations.checks import load_metadata
from infra.migrations.policy import Policy, Prepare
from infra.migrations.policy import load as load_policy
from infra.migrations.policy import prepare_hook as make_prepare_hook
from infra.migrations.tree import AlembicTree
from infra.registry import all_checks
from infra.stack import shared as session
from infra.stack.databases import scratch_database, scratch_engine, with_database
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_env, isolated_project_name
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.profiles import ProfileName
from infra.stack.signals import terminate_as_interrupt
from infra.stack.state import Lease


@dataclass(frozen=True)
class _Session:
    """The session's stack: its project, the controller's lease, where its state lives ("" = the
    checkout's .orderflow), and whether the session removes it at the end."""

    project: str
    lease: Lease
    state_dir: str
    owns: bool

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> _Session:
        doc = json.loads(text)
        return cls(doc["project"], Lease(**doc["lease"]), doc["state_dir"], doc["owns"])

    def state_path(self, harness: HarnessConfig) -> Path:
        return Path(self.state_dir) if self.state_dir else harness.state_dir


_SESSION = pytest.StashKey[_Session]()
_WORKER_SESSION = "orderflow_session"  # the controller's session, in each xdist worker's input


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("orderflow")
    group.addoption("--compose-file", help=f"compose file under test (env {knobs.COMPOSE_FILE_VAR})")
    group.addoption(
        "--env-file", help=f"env file for it (env {knobs.ENV_FILE_VAR}; default .env or .env.example)"
    )
    group.addoption(
        "--alembic-ini", help=f"alembic.ini of the schema under test (env {knobs.ALEMBIC_INI_VAR})"
    )
    group.addoption(
        "--metadata",
        help="the models: module:attr.path (a MetaData or a declarative base) or path.py:attr, then "
        f"optionally ,model.module,... to import first (env {knobs.METADATA_VAR}; "
        f"default {knobs.DEFAULT_METADATA})",
    )
    group.addoption(
        "--migrations-config",
        help=f"pyproject-style TOML with [tool.orderflow.migrations]: irreversible revisions, prepare "
        f"(env {knobs.MIGRATIONS_CONFIG_VAR}; default: the nearest pyproject.toml above the alembic.ini)",
    )
    group.addoption(
        "--driver",
        help=f"DBAPI driver the migrations run with, e.g. psycopg2 (env {knobs.DRIVER_VAR}; default: the "
        "policy's `driver`, else what alembic.ini or env.py names, else psycopg)",
    )
    group.addoption(
        "--python",
        metavar="PATH",
        help="the project's interpreter (e.g. its venv/bin/python) to run its Alembic, env.py and models in, "
        "when they need other SQLAlchemy/Alembic versions than ours (docs/histories.md)",
    )
    group.addoption(
        "--prepare", help="SQL file or module:attr run on each empty database before the first revision"
    )
    group.addoption(
        "--base-ref",
        help=f"git ref whose merged revisions must stay unchanged (env {knobs.BASE_REF_VAR}; default HEAD)",
    )
    group.addoption(
        "--profile",
        choices=knobs.PROFILES,
        help=f"images for the live stack: upstream, offline (built here), or auto (env {knobs.PROFILE_VAR}; "
        "default auto)",
    )
    group.addoption(
        "--stack-state-dir",
        metavar="DIR",
        help=f"keep the live stack's state in DIR and leave it running for the next session (env "
        f"{knobs.STACK_STATE_DIR_VAR}; default: the checkout's .orderflow, the stack removed at the end)",
    )
    group.addoption(
        "--startup-budget",
        type=float,
        help=f"seconds each service may take to become healthy (env {knobs.STARTUP_BUDGET_VAR}; default 120)",
    )
    group.addoption(
        "--migration-budget",
        type=float,
        help=f"seconds for migrations on an empty database (env {knobs.MIGRATION_BUDGET_VAR}; default 10)",
    )
    group.addoption("--checks-coverage", metavar="PATH", help="write each collected test's check ids as JSON")


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


# Registered by the plugin, so they are known whatever rootdir (and so config file) pytest picked.
MARKERS = (
    "infra: needs the live stack (brought up once per session)",
    "compose: static checks of the Compose file; need no engine",
    "containers: checks inside the running containers (testinfra)",
    "services: protocol checks against the running services",
    "live: the running stack as the engine reports it (health, port bindings)",
    "schema: the schema package and the convention audit",
    "migrations: Alembic history checks",
    "safety: migration safety observed on a live server (locks, rewrites, old code, contention)",
    "audit: the convention audit over the live catalog",
    "budget: time budgets from the seed",
    "slow: takes more than a few seconds",
    "check(check): the declared Check (`<producer>.check`) this test asserts",
    "negative(check): a negative case proving the check (a declared Check, or its id) can fail",
)


def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    if not _is_controller(config):
        config.stash[_SESSION] = _Session.from_json(config.workerinput[_WORKER_SESSION])  # type: ignore[attr-defined]
        return
    # The controller names the stack and holds its lease (a prune leaves a live run's stack alone);
    # SIGTERM ends the session like Ctrl-C, through unconfigure, so the stack is removed.
    given = knobs.stack_state_dir(config.getoption("--stack-state-dir"))
    project = (session.reusable_project(given) if given else None) or isolated_project_name()
    config.stash[_SESSION] = _Session(project, Lease.mine("pytest session"), str(given or ""), given is None)
    terminate_as_interrupt()
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_ToWorkers(config.stash[_SESSION]), "orderflow-workers")


class _ToWorkers:
    """Hands the controller's session to every pytest-xdist worker, so they share one stack."""

    def __init__(self, stack_session: _Session) -> None:
        self.session = stack_session

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput[_WORKER_SESSION] = self.session.to_json()


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _is_controller(config) or _SESSION not in config.stash:
        return
    stack_session = config.stash[_SESSION]
    try:
        harness = _harness_config(config)
    except HarnessError:  # no compose file, so no stack was started
        return
    if stack_session.owns:
        session.stop(harness, stack_session.state_path(harness), stack_session.project)
    else:
        session.release(stack_session.state_path(harness), stack_session.project)


def _marked_ids(item: pytest.Item, name: str, known: dict[str, Check]) -> list[str]:
    """Ids of the item's `check`/`negative` markers (a declared check object, or its id); typos fail."""
    ids = []
    for mark in item.iter_markers(name):
        arg = mark.args[0] if mark.args else None
        check_id = arg if isinstance(arg, str) else check_of(arg).id if arg is not None else None
        if check_id not in known:
            raise pytest.UsageError(
                f"{item.nodeid}: @{name}({check_id!r}) names no declared check "
                "(declare it with @produces next to the code that makes its findings)"
            )
        ids.append(check_id)
    return ids


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every `check` / `negative` marker must name a declared check; with --checks-coverage, write
    {node id: {"check": [ids], "negative": [ids]}} for `python -m infra checks`."""
    known = all_checks()
    coverage = {}
    for item in items:
        marks = {name: _marked_ids(item, name, known) for name in ("check", "negative")}
        if any(marks.values()):
            coverage[item.nodeid] = {**marks, "markers": sorted({m.name for m in item.iter_markers()})}
    out = config.getoption("--checks-coverage")
    if out:
        Path(out).write_text(json.dumps(coverage, indent=1), encoding="utf-8")


def pytest_report_header(config: pytest.Config) -> str:
    """Which files are under test; and when pytest found no config file (its rootdir was guessed from
    a path given as an option's value, before any plugin loaded), say so: pyproject's settings are off."""
    lines = []
    try:
        harness = _harness_config(config)
        lines.append(f"orderflow: compose file {harness.compose_file}, env file {harness.env_file}")
    except HarnessError as exc:
        lines.append(f"orderflow: {exc}")
    if config.inipath is None:
        lines.append(
            f"orderflow: pytest found no config file from rootdir {config.rootpath} (chosen from a path "
            "given as an option's value); `--option=value` keeps the repository's pyproject.toml settings"
        )
    return "\n".join(lines)


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
def alembic_tree(pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> AlembicTree:
    """The Alembic tree under test: --alembic-ini, else ORDERFLOW_ALEMBIC_INI, else schema/alembic.ini.
    The models are loaded first when they can be, so they are recorded before any revision file is
    imported (see infra.migrations.checks.models_as_loaded)."""
    python = pytestconfig.getoption("--python")
    if not python:  # the project's own interpreter loads its models itself
        with contextlib.suppress(pytest.UsageError):
            request.getfixturevalue("target_metadata")
    ini = knobs.alembic_ini(pytestconfig.getoption("--alembic-ini"))
    policy = load_policy(knobs.migrations_config(pytestconfig.getoption("--migrations-config")), ini)
    chosen = driver.choose(knobs.driver(pytestconfig.getoption("--driver")), policy.driver)
    return AlembicTree(ini).with_driver(chosen).with_python(Path(python) if python else None)


@pytest.fixture(scope="session")
def target_metadata(pytestconfig: pytest.Config) -> sa.MetaData:
    """The models the schema must agree with: --metadata, else ORDERFLOW_TARGET_METADATA, else schema's.
    Another Alembic tree with OrderFlow's models would compare two unrelated schemas (every table a
    finding): that is a usage error, not a result."""
    explicit = knobs.metadata_given(pytestconfig.getoption("--metadata"))
    ini = knobs.alembic_ini(pytestconfig.getoption("--alembic-ini"))
    if not explicit and ini.resolve() != knobs.alembic_ini(None, {}).resolve():
        raise pytest.UsageError(
            "--alembic-ini points at another Alembic tree but --metadata is not given: the drift checks "
            "would compare it with OrderFlow's models. Pass --metadata package.models:Base"
        )
    return load_metadata(knobs.metadata_spec(explicit))


@pytest.fixture(scope="session")
def migration_policy(pytestconfig: pytest.Config, alembic_tree: AlembicTree) -> Policy:
    """Revisions declared irreversible, and the prepare hook, from [tool.orderflow.migrations]."""
    return load_policy(
        knobs.migrations_config(pytestconfig.getoption("--migrations-config")), alembic_tree.ini
    )


@pytest.fixture(scope="session")
def prepare_hook(pytestconfig: pytest.Config, migration_policy: Policy) -> Prepare | None:
    """Builds the schema the history starts on (--prepare, else the policy's `prepare`), or None."""
    return make_prepare_hook(migration_policy, pytestconfig.getoption("--prepare"))


@pytest.fixture(scope="session")
def base_ref(pytestconfig: pytest.Config) -> str:
    """The ref whose merged revisions must be unchanged: --base-ref, else ORDERFLOW_BASE_REF, else HEAD."""
    return knobs.base_ref(pytestconfig.getoption("--base-ref"))


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
    requested = cast(ProfileName, knobs.profile(pytestconfig.getoption("--profile")))
    stack_session = pytestconfig.stash[_SESSION]
    stack, status = session.start_or_attach(
        harness_config,
        stack_session.state_path(harness_config),
        stack_session.project,
        stack_session.lease,
        requested_profile=requested,
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


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    """A passed check's verbose line says what it examined ("PASSED (42/124 revisions compared)")."""
    examined = dict(report.user_properties).get("examined")
    if report.when == "call" and report.passed and examined:
        return "passed", ".", f"PASSED ({examined})"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
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
