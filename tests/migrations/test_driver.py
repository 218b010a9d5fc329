"""The project's driver (infra.migrations.driver): chosen from the user, the policy or the tree, and
used by every migrating command. d2 of the driver-psycopg2 tree binds a string into an integer column:
it passes under psycopg2 (the driver its alembic.ini names) and fails under psycopg 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra import config
from infra.errors import HarnessError
from infra.migrations import driver, policy
from infra.migrations.checks import upgrade_from_empty
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree

EXAMPLES = Path(__file__).parent / "examples"
TREE = AlembicTree(EXAMPLES / "driver-psycopg2" / "alembic.ini")


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("psycopg2", "psycopg2"),
        ("postgresql+psycopg", "psycopg"),
        ("postgresql", "psycopg2"),
        ("pg8000", "pg8000"),
    ],
)
def test_driver_names_and_schemes_are_parsed(value, name):
    assert driver.parse_driver(value, "--driver") == name


def test_an_unknown_driver_is_a_usage_error_naming_the_knob():
    with pytest.raises(HarnessError, match=r"ORDERFLOW_DRIVER: unknown PostgreSQL driver 'mysqldb'"):
        driver.choose(config.driver(None, {config.DRIVER_VAR: "mysqldb"}), None)


def test_the_users_choice_wins_then_the_policy_then_the_tree():
    env = {config.DRIVER_VAR: "pg8000"}
    assert driver.choose(config.driver("psycopg", env), "psycopg2") == driver.Driver("psycopg", "--driver")
    assert driver.choose(config.driver(None, env), "psycopg2") == driver.Driver("pg8000", config.DRIVER_VAR)
    assert driver.choose(config.driver(None, {}), "psycopg2") == driver.Driver("psycopg2", "policy `driver`")
    assert driver.choose(None, None) is None
    assert TREE.driver() == driver.Driver("psycopg2", "alembic.ini sqlalchemy.url")
    assert AlembicTree(EXAMPLES / "valid" / "alembic.ini").driver() == driver.Driver("psycopg", "default")


def test_the_policy_key_is_read(tmp_path):
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[tool.orderflow.migrations]\ndriver = "psycopg2"\n', encoding="utf-8")
    assert policy.load(toml, TREE.ini).driver == "psycopg2"
    toml.write_text("[tool.orderflow.migrations]\ndriver = 2\n", encoding="utf-8")
    with pytest.raises(HarnessError, match="driver must be a driver name"):
        policy.load(toml, TREE.ini)


def test_a_driver_that_is_not_installed_is_a_usage_error():
    tree = TREE.with_driver(driver.Driver("pg8000", "--driver"))
    with pytest.raises(HarnessError, match=r"its module pg8000 is not installed") as raised:
        tree.driver()
    assert "pip install pg8000" in (raised.value.hint or "")


@pytest.mark.migrations
@pytest.mark.infra
def test_the_trees_own_driver_walks_what_psycopg3_refuses(empty_engine):
    """The same revision: clean with the tree's psycopg2, an upgrade failure when psycopg 3 is forced."""
    walk = stepwise_roundtrip(TREE, empty_engine, seed=0)
    assert walk.findings == [] and walk.downgraded == 2
    forced = TREE.with_driver(driver.Driver("psycopg", "--driver"))
    with empty_engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    findings, _ = upgrade_from_empty(forced, empty_engine)
    [finding] = findings
    assert "DatatypeMismatch" in finding.found and "seats" in finding.found
