"""Bad input to the static audit: one `HarnessError` line naming the file or the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file
from infra.compose.model import ComposeFiles
from infra.compose.rules import audit_compose
from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.stack.isolation import isolated_env

SCENARIOS = Path(__file__).parent / "scenarios"
VALID = SCENARIOS / "valid" / "docker-compose.yml"
ENV = read_env_file(SCENARIOS / "scenario.env")
REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.compose]


def one_line(exc: pytest.ExceptionInfo[HarnessError]) -> str:
    text = exc.value.one_line()
    assert "\n" not in text
    return text


def test_malformed_yaml_names_file_and_line(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("name: x\nservices:\n  a: [\n")
    with pytest.raises(HarnessError) as exc:
        audit_compose(ComposeFiles((broken,)), {})
    assert one_line(exc).startswith(f"{broken}:4: not valid YAML")


def test_a_file_that_is_not_a_mapping_is_named(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("- just\n- a list\n")
    with pytest.raises(HarnessError, match=rf"^{broken}: a compose file is a mapping, found list"):
        audit_compose(ComposeFiles((broken,)), {})


def test_invalid_compose_is_named_by_compose(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        'name: x\nservices:\n  a:\n    image: redis:7.4.1\n    healthcheck:\n      test: ["true"]\n'
    )
    with pytest.raises(HarnessError) as exc:
        audit_compose(ComposeFiles((broken,)), {})
    assert one_line(exc).startswith(f"docker compose cannot read {broken}")
    assert "CMD" in one_line(exc)


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / "nope.yml"
    with pytest.raises(HarnessError, match=rf"^cannot read compose file {missing}"):
        audit_compose(ComposeFiles((missing,)), {})


def test_missing_variable_is_named():
    env = {k: v for k, v in ENV.items() if k != "REDIS_PASSWORD"}
    with pytest.raises(HarnessError) as exc:
        audit_compose(ComposeFiles((VALID,)), env)
    assert one_line(exc).startswith("variable REDIS_PASSWORD is missing")
    assert "set REDIS_PASSWORD" in exc.value.hint


def test_missing_variable_names_the_env_file(tmp_path):
    env_file = tmp_path / "scenario.env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in ENV.items() if k != "MINIO_ROOT_USER") + "\n")
    with pytest.raises(HarnessError, match=rf"^variable MINIO_ROOT_USER is missing from {env_file}"):
        audit_compose(ComposeFiles((VALID,), env_file), {})


def test_an_override_with_compose_merge_tags_is_read():
    """`!reset` / `!override` (used by infra/stack/compose.offline.yml) are Compose YAML, not errors."""
    files = ComposeFiles((REPO / "docker-compose.yml", REPO / "infra" / "stack" / "compose.offline.yml"))
    env = isolated_env(HarnessConfig.resolve(REPO / "docker-compose.yml", REPO / ".env.example"))
    findings = audit_compose(files, env)
    assert all(f.check_id.startswith("compose.") for f in findings)
