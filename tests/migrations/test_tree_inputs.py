"""Pointing the harness at any tree: script_location resolution, metadata specs, the policy file.
Pure functions and imports; no database."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.errors import HarnessError
from infra.migrations import policy
from infra.migrations.checks import load_metadata
from infra.migrations.constraints import Rule, column_rules
from infra.migrations.tree import resolve_script_location

pytestmark = [pytest.mark.migrations]


def test_relative_script_location_resolves_from_the_ini_file(tmp_path: Path):
    """A packaged tree's ini says `pkg/migrations`, relative to the package root above it."""
    env = tmp_path / "src" / "pkg" / "migrations"
    env.mkdir(parents=True)
    (env / "env.py").write_text("")
    ini = env / "alembic.ini"
    assert resolve_script_location(ini, "pkg/migrations", cwd=tmp_path) == str(env)
    assert resolve_script_location(ini, ".", cwd=tmp_path) == str(env)


def test_missing_script_location_says_where_it_looked(tmp_path: Path):
    with pytest.raises(HarnessError, match=r"has no env\.py; tried") as caught:
        resolve_script_location(tmp_path / "alembic.ini", "nowhere", cwd=tmp_path)
    assert "relative to the ini file" in caught.value.hint


def test_package_resource_location_is_left_to_alembic(tmp_path: Path):
    assert resolve_script_location(tmp_path / "alembic.ini", "pkg:migrations") == "pkg:migrations"


@pytest.mark.parametrize(
    "spec",
    [
        "schema.models:metadata",
        "schema.models",
        "schema.models:Base",
        "schema.models:Base.metadata",
        "schema.models:Base,schema.models",
    ],
)
def test_metadata_specs(spec: str):
    assert isinstance(load_metadata(spec), sa.MetaData)


def test_bad_metadata_spec_is_one_line():
    with pytest.raises(HarnessError, match="has no attribute 'Nope'"):
        load_metadata("schema.models:Nope")
    with pytest.raises(HarnessError, match="cannot import no_such_package"):
        load_metadata("no_such_package:Base")


def test_policy_floor_and_list(tmp_path: Path):
    toml = tmp_path / "pyproject.toml"
    toml.write_text('[tool.orderflow.migrations]\ndowngrade_floor = "b"\nirreversible = ["d", "zz"]\n')
    declared = policy.load(toml, tmp_path / "alembic.ini")
    line = ["a", "b", "c", "d", "e"]
    assert [r for r in line if declared.declared(r, line)] == ["a", "b", "d"]
    assert declared.unknown_revisions(line) == ["zz"]


def test_policy_is_found_above_the_ini(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.orderflow.migrations]\nirreversible = ["x"]\n')
    (tmp_path / "tree").mkdir()
    assert policy.load(None, tmp_path / "tree" / "alembic.ini").irreversible == {"x"}


def test_bad_policy_value_is_one_line(tmp_path: Path):
    toml = tmp_path / "p.toml"
    toml.write_text('[tool.orderflow.migrations]\nirreversible = "a1"\n')
    with pytest.raises(HarnessError, match="irreversible must be a list"):
        policy.load(toml, tmp_path / "alembic.ini")


def test_check_constraints_as_postgresql_prints_them():
    """The seeder's generators follow the table's checks (here OrderFlow's slug rule, as reflected)."""
    rules = column_rules(
        [
            "((slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text) AND "
            "((char_length(slug) >= 3) AND (char_length(slug) <= 63)))",
            "(status = ANY (ARRAY['new'::text, 'it''s done'::text]))",
            "(qty > 0)",
            "jsonb_typeof(settings) = 'object'::text",
        ]
    )
    assert rules["slug"] == Rule(regex="^[a-z0-9]+(-[a-z0-9]+)*$", min_len=3, max_len=63)
    assert rules["status"].choices == ("new", "it's done")
    assert rules["qty"].min_value == 1
    assert "settings" not in rules  # not understood: left to the database
