"""This repository runs the harness without `--orderflow`: its checks are the folder checks/ (testpaths),
and the harness's fixtures, markers and hooks come from pytest_orderflow.harness, loaded here. Elsewhere
the entry-point plugin stays quiet until `pytest --orderflow` loads the same module.

The harness's own tests (tests/) stay apart from the checks: a run that names a file or server under
test (`pytest -m compose --orderflow-compose-file F`) runs the checks on it and nothing else, unless a
path under tests/ is given explicitly. (Here, not in tests/conftest.py: pytest-alembic collects its
built-in tests wherever a tests/conftest.py is.)"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytest_orderflow.harness"]

TESTS = Path(__file__).resolve().parent / "tests"
TARGETS = (
    "--orderflow-compose-file",
    "--orderflow-env-file",
    "--orderflow-alembic-ini",
    "--orderflow-metadata",
    "--orderflow-database-url",
)


def _asked_for_tests(config: pytest.Config) -> bool:
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        return False
    given = [(config.invocation_params.dir / arg.split("::", 1)[0]).resolve() for arg in config.args]
    return any(path == TESTS or path.is_relative_to(TESTS) for path in given)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    named = [option for option in TARGETS if config.getoption(option)]
    if not named or _asked_for_tests(config):
        return
    own = [item for item in items if item.path.is_relative_to(TESTS)]
    if own:
        config.hook.pytest_deselected(items=own)
        items[:] = [item for item in items if not item.path.is_relative_to(TESTS)]
