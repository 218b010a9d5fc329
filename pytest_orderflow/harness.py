"""The harness in pytest: markers and their validation and coverage, session fixtures (one isolated stack
per session, shared by pytest-xdist workers) and stack diagnostics on failures. The work itself lives in
`infra`. Loaded only by `--orderflow` (pytest_orderflow.plugin, which also declares the options) or by
this repository's conftest.py."""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import pytest

from infra import config as knobs
from infra.compose.model import ComposeFiles
from infra.config import Budgets, HarnessConfig
from infra.errors import HarnessError
from infra.findings import Check, check_of
from infra.masking import SecretEnv
from infra.registry import all_checks
from infra.stack import shared as session
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_env, isolated_project_name
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.profiles import ProfileName
from infra.stack.signals import terminate_as_interrupt
from infra.stack.state import Lease
from pytest_orderflow.plugin import add_options


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


# The schema's fixtures (Alembic tree, models, PostgreSQL server), a module of their own.
pytest_plugins = ["pytest_orderflow.migration_fixtures"]

_SESSION = pytest.StashKey[_Session]()
_SERVICES = pytest.StashKey[tuple[str, ...]]()  # what the session's stack starts; () = every service
POSTGRES_SERVICE = "postgres"  # the service the migration checks use (infra.stack.endpoints)
_WORKER_SESSION = "orderflow_session"  # the controller's session, in each xdist worker's input


def pytest_addoption(parser: pytest.Parser) -> None:
    """Loaded by this repository's conftest.py, the harness needs its options whatever the command line."""
    add_options(parser)


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


# Registered by the harness, so they are known whatever rootdir (and so config file) pytest picked.
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
    config.pluginmanager.register(_ServicesNeeded(), "orderflow-services-needed")
    if not _is_controller(config):
        config.stash[_SESSION] = _Session.from_json(config.workerinput[_WORKER_SESSION])  # type: ignore[attr-defined]
        return
    # The controller names the stack and holds its lease (a prune leaves a live run's stack alone);
    # SIGTERM ends the session like Ctrl-C, through unconfigure, so the stack is removed.
    given = knobs.stack_state_dir(config.getoption("--orderflow-stack-state-dir"))
    project = (session.reusable_project(given) if given else None) or isolated_project_name()
    config.stash[_SESSION] = _Session(project, Lease.mine("pytest session"), str(given or ""), given is None)
    terminate_as_interrupt()
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_ToWorkers(config.stash[_SESSION]), "orderflow-workers")


class _ServicesNeeded:
    """The stack a run needs is the services its selected checks need: PostgreSQL alone, unless one asks
    for the whole stack (the services, containers and live checks use `live_stack` itself). Last, so
    after `-m`/`-k` deselected what does not run."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        whole = any("live_stack" in getattr(item, "fixturenames", ()) for item in items)
        config.stash[_SERVICES] = () if whole else (POSTGRES_SERVICE,)


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
    out = config.getoption("--orderflow-checks-coverage")
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


def project_start(config: pytest.Config) -> Path:
    """Where the user stands: pytest's rootdir, or the invocation folder when pytest found no config
    file (then the rootdir was guessed from an option's value); infra.config.Project goes up from there."""
    return config.rootpath if config.inipath is not None else config.invocation_params.dir


def _harness_config(config: pytest.Config) -> HarnessConfig:
    return HarnessConfig.resolve(
        config.getoption("--orderflow-compose-file"),
        config.getoption("--orderflow-env-file"),
        start=project_start(config),
    )


@pytest.fixture(scope="session")
def harness_config(pytestconfig: pytest.Config) -> HarnessConfig:
    return _harness_config(pytestconfig)


@pytest.fixture(scope="session")
def budgets(pytestconfig: pytest.Config) -> Budgets:
    """The seed's time budgets (infra.config), changed by --orderflow-startup-budget /
    --orderflow-migration-budget."""
    return Budgets.resolve(
        pytestconfig.getoption("--orderflow-startup-budget"),
        pytestconfig.getoption("--orderflow-migration-budget"),
    )


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
    """The session's isolated stack: own project name, free ports; started once, shared by workers.
    PostgreSQL alone when only the migration checks (through `postgres_server`) need it."""
    requested = cast(ProfileName, knobs.profile(pytestconfig.getoption("--orderflow-profile")))
    stack_session = pytestconfig.stash[_SESSION]
    needed: tuple[str, ...] = pytestconfig.stash.get(_SERVICES, ())
    stack, status = session.start_or_attach(
        harness_config,
        stack_session.state_path(harness_config),
        stack_session.project,
        stack_session.lease,
        requested_profile=requested,
        deadline_s=budgets.startup_s,
        services=needed,
    )
    return LiveStack(stack, status)


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
