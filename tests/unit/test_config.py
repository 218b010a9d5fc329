"""Every knob is resolved in infra.config: flag, else environment variable, else default; docs/knobs.md
lists each one; no other module reads the harness's settings from the environment."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from infra import config
from infra.cli import main
from infra.errors import HarnessError

ROOT = Path(__file__).resolve().parents[2]
# Modules that may read os.environ: the knobs, and the child-process environment helper.
READERS = {"infra/config.py", "infra/environ.py"}


@pytest.mark.parametrize(
    ("resolve", "var", "default"),
    [
        (config.base_ref, config.BASE_REF_VAR, "HEAD"),
        (config.profile, config.PROFILE_VAR, "auto"),
    ],
)
def test_flag_then_environment_then_default(resolve, var, default):
    value = "offline" if resolve is config.profile else "from-env"
    flag = "upstream" if resolve is config.profile else "from-flag"
    assert resolve(flag, {var: value}) == flag
    assert resolve(None, {var: value}) == value
    assert resolve(None, {}) == default


def test_paths_resolve_the_same_way(tmp_path):
    assert config.alembic_ini(None, {config.ALEMBIC_INI_VAR: "x.ini"}) == Path("x.ini")
    assert config.alembic_ini(None, {}, start=ROOT / "infra") == ROOT / "schema" / "alembic.ini"
    assert config.metadata_spec("from-flag", {config.METADATA_VAR: "env"}) == "from-flag"
    assert config.metadata_spec(None, {config.METADATA_VAR: "env"}) == "env"
    assert config.metadata_spec(None, {}, start=ROOT) == "schema.models:metadata"
    assert config.stack_state_dir(None, {config.STACK_STATE_DIR_VAR: str(tmp_path)}) == tmp_path
    assert config.stack_state_dir(None, {}) is None


def test_defaults_come_from_where_the_user_stands(tmp_path):
    """Outside this repository: the folder's own files, never the installed package's checkout; a
    [tool.orderflow] table above it names them relative to its pyproject.toml."""
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    assert (
        config.HarnessConfig.resolve(None, None, {}, start=tmp_path).compose_file == tmp_path / "compose.yaml"
    )
    assert config.alembic_ini(None, {}, start=tmp_path) == tmp_path.resolve() / "alembic.ini"
    with pytest.raises(HarnessError, match="no models named"):
        config.metadata_spec(None, {}, start=tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.orderflow]\nalembic-ini = "db/alembic.ini"\nmetadata = "app.models:Base"\n'
    )
    (tmp_path / "sub").mkdir()
    assert config.alembic_ini(None, {}, start=tmp_path / "sub") == tmp_path.resolve() / "db" / "alembic.ini"
    assert config.metadata_spec(None, {}, start=tmp_path / "sub") == "app.models:Base"


def test_bad_values_are_one_line_errors_naming_the_variable():
    with pytest.raises(HarnessError, match=config.PROFILE_VAR):
        config.profile(None, {config.PROFILE_VAR: "cloud"})
    with pytest.raises(HarnessError, match=config.BASE_REF_VAR):
        config.merge_base_ref(None, {})


def test_roundtrip_without_a_base_is_one_line(capsys, monkeypatch):
    monkeypatch.delenv(config.BASE_REF_VAR, raising=False)
    assert main(["roundtrip"]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: no base ref to compare with. Hint: pass --base origin/main or set {config.BASE_REF_VAR}"
    ]


def test_every_variable_has_a_pytest_option_and_a_knobs_row():
    """Each ORDERFLOW_* knob of infra.config appears in docs/knobs.md and in pytest's help."""
    variables = {v for k, v in vars(config).items() if k.endswith("_VAR")}
    table = (ROOT / "docs" / "knobs.md").read_text()
    assert all(f"`{v}`" in table for v in variables), variables - set(re.findall(r"`(ORDERFLOW_\w+)`", table))
    help_text = subprocess.run(
        [sys.executable, "-m", "pytest", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert all(v in help_text for v in variables)


def test_no_module_reads_the_environment_outside_config():
    pattern = re.compile(r"os\.environ|os\.getenv|getenv\(")
    readers = {
        path.relative_to(ROOT).as_posix()
        for folder in ("infra", "pytest_orderflow", "checks", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    }
    assert readers == READERS
