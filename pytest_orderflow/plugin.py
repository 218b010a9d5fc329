"""The entry point (`pytest11: orderflow`): quiet until asked.

It registers `--orderflow` and the `--orderflow-*` options (prefixed, so they clash with no other
plugin) and nothing else: no fixtures, markers, hooks with effects, signal handlers or heavy imports.
Only `--orderflow` loads the harness (pytest_orderflow.harness: markers, fixtures, the session's
stack) and adds the packaged checks (pytest_orderflow.checks) to the run, as pytest-alembic's
`--test-alembic` adds its tests. This repository's conftest.py loads the harness itself: there the
checks are the folder `checks/`, collected from testpaths.

Registered through an entry point rather than a conftest.py so the options exist whatever rootdir
pytest picks (`--orderflow-compose-file /elsewhere/compose.yml` parses as the option's value).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HARNESS = "pytest_orderflow.harness"
GROUP, GROUP_TITLE = "orderflow", "OrderFlow harness (pytest_orderflow)"
CHECKS_PACKAGE = "pytest_orderflow.checks"
_CHECKS = pytest.StashKey[Path]()  # the packaged checks' folder, added to this run

# (option, help): every option but the flag takes a value. Environment variables are infra.config's
# (tests/plugin/test_quiet.py checks the names agree); infra is not imported here, it is heavy.
OPTIONS = (
    (
        "--orderflow-compose-file",
        "compose file under test (env ORDERFLOW_COMPOSE_FILE; default: the "
        "project's [tool.orderflow] compose-file, else compose.yaml / docker-compose.yml in the rootdir)",
    ),
    ("--orderflow-env-file", "env file for it (env ORDERFLOW_ENV_FILE; default .env, else .env.example)"),
    (
        "--orderflow-policy",
        "lint policy for the compose checks: dev-stack or service (default: the "
        "project's [tool.orderflow.lint] policy, else service)",
    ),
    (
        "--orderflow-alembic-ini",
        "alembic.ini of the schema under test (env ORDERFLOW_ALEMBIC_INI; "
        "default: [tool.orderflow] alembic-ini, else alembic.ini in the rootdir)",
    ),
    (
        "--orderflow-metadata",
        "the models: module:attr.path (a MetaData or a declarative base) or "
        "path.py:attr, then optionally ,model.module,... to import first (env ORDERFLOW_TARGET_METADATA; "
        "default: [tool.orderflow] metadata; without one the drift checks skip)",
    ),
    (
        "--orderflow-database-url",
        "PostgreSQL server for the migration checks (a database on it is made "
        "and dropped per check; env ORDERFLOW_DATABASE_URL; default: PostgreSQL of an isolated stack)",
    ),
    (
        "--orderflow-migrations-config",
        "pyproject-style TOML with [tool.orderflow.migrations]: "
        "irreversible revisions, prepare (env ORDERFLOW_MIGRATIONS_CONFIG; default: the nearest "
        "pyproject.toml above the alembic.ini)",
    ),
    ("--orderflow-prepare", "SQL file or module:attr run on each empty database before the first revision"),
    (
        "--orderflow-driver",
        "DBAPI driver the migrations run with, e.g. psycopg2 (env ORDERFLOW_DRIVER; default: the "
        "policy's `driver`, else what alembic.ini or env.py names, else psycopg)",
    ),
    (
        "--orderflow-python",
        "the project's interpreter (e.g. its venv/bin/python) to run its Alembic, env.py and models in, "
        "when they need other SQLAlchemy/Alembic versions than ours (docs/histories.md)",
    ),
    (
        "--orderflow-base-ref",
        "git ref whose merged revisions must stay unchanged (env ORDERFLOW_BASE_REF; default HEAD)",
    ),
    (
        "--orderflow-profile",
        "images for the live stack: auto, upstream, or offline (built here) (env "
        "ORDERFLOW_PROFILE; default auto)",
    ),
    (
        "--orderflow-stack-state-dir",
        "keep the live stack's state in DIR and leave it running for the next "
        "session (env ORDERFLOW_STACK_STATE_DIR; default: a temporary one, the stack removed at the end)",
    ),
    (
        "--orderflow-startup-budget",
        "seconds each service may take to become healthy (env ORDERFLOW_STARTUP_BUDGET_S; default 120)",
    ),
    (
        "--orderflow-migration-budget",
        "seconds for migrations on an empty database (env ORDERFLOW_MIGRATION_BUDGET_S; default 10)",
    ),
    ("--orderflow-checks-coverage", "write each collected test's check ids as JSON to PATH"),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """One flag, so a plain `pytest --help` gains one line; the rest come with it (add_options)."""
    parser.getgroup(GROUP, GROUP_TITLE).addoption(
        "--orderflow",
        action="store_true",
        default=False,
        help="run the packaged OrderFlow checks (compose, migrations, live stack) on this project; "
        "`pytest --orderflow --help` lists their --orderflow-* options",
    )


def add_options(parser: pytest.Parser) -> None:
    """The --orderflow-* options (idempotent: the entry point and this repository's harness both ask)."""
    group = parser.getgroup(GROUP, GROUP_TITLE)
    known = {name for option in group.options for name in option.names()}
    for name, text in OPTIONS:
        if name not in known:
            group.addoption(name, help=text)


def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """The options exist when the command line (with ini addopts) asks for the harness by any of them."""
    if any(arg.startswith("--orderflow") for arg in args):
        add_options(parser)


def checks_folder() -> Path:
    """Where the packaged checks are installed (site-packages, or this checkout's checks/ when editable)."""
    spec = importlib.util.find_spec(CHECKS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise pytest.UsageError(f"--orderflow: {CHECKS_PACKAGE} is not installed; reinstall the harness")
    return Path(next(iter(spec.submodule_search_locations)))


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--orderflow"):
        return
    at_home = config.pluginmanager.has_plugin(HARNESS)  # loaded by this repository's conftest.py
    config.pluginmanager.import_plugin(HARNESS)
    if at_home or hasattr(config, "workerinput"):
        return
    checks = checks_folder()
    config.stash[_CHECKS] = checks
    # Installed in a virtualenv inside the project, the checks are under an argument already (its
    # recursion reaches them through pytest_ignore_collect below); else they are an argument of their own.
    if not any(checks.is_relative_to(Path(arg).absolute()) for arg in config.args if Path(arg).exists()):
        config.args.append(str(checks))


def _virtualenv_of(path: Path) -> Path | None:
    return next((folder for folder in path.parents if (folder / "pyvenv.cfg").is_file()), None)


@pytest.hookimpl(tryfirst=True)
def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """In the virtualenv holding the packaged checks, collect the checks and the folders above them (pytest
    skips virtualenvs), and nothing else of it (every package's own tests)."""
    checks = config.stash.get(_CHECKS, None)
    venv = _virtualenv_of(checks) if checks is not None else None
    if checks is None or venv is None or not collection_path.is_relative_to(venv):
        return None
    if collection_path.is_relative_to(checks):
        return None
    return not checks.is_relative_to(collection_path)
