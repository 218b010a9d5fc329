"""Bad input to the static audit: one `HarnessError` line naming the file; a variable Compose would
refuse gets a placeholder, named in the model, instead of stopping the lint."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file
from infra.compose.lint import audit_compose, prepare
from infra.compose.model import ComposeFiles
from infra.errors import HarnessError

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


def test_a_variable_compose_would_refuse_gets_a_named_placeholder():
    env = {k: v for k, v in ENV.items() if k != "REDIS_PASSWORD"}
    _, model = prepare(ComposeFiles((VALID,)), env)
    assert model.placeholders == ("REDIS_PASSWORD",)
    assert model.service("redis").environment["REDIS_PASSWORD"] == "placeholder"


def test_the_env_file_is_used_as_given(tmp_path):
    """Its ports are not replaced by free ones; a variable it lacks is the only placeholder."""
    env_file = tmp_path / "scenario.env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in ENV.items() if k != "MINIO_ROOT_USER") + "\n")
    _, model = prepare(ComposeFiles((VALID,), env_file))
    assert model.placeholders == ("MINIO_ROOT_USER",)
    assert model.env_file == env_file
    assert model.service("postgres").ports[0].published == int(ENV["POSTGRES_PORT"])


def test_a_missing_env_file_is_one_line(tmp_path):
    with pytest.raises(HarnessError) as exc:
        audit_compose(ComposeFiles((VALID,), tmp_path / "nope.env"))
    assert one_line(exc).startswith(f"env file {tmp_path / 'nope.env'} is missing")


def test_a_directory_given_as_the_file_is_one_line(tmp_path):
    with pytest.raises(HarnessError) as exc:
        audit_compose(ComposeFiles((tmp_path,)))
    assert one_line(exc).startswith(f"{tmp_path} is a directory, not a compose file")


def test_an_unknown_service_key_is_named_by_compose(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("name: x\nservices:\n  a:\n    image: redis:7.4.1\n    restart_policy: always\n")
    with pytest.raises(HarnessError) as exc:
        audit_compose(ComposeFiles((broken,)))
    assert "restart_policy" in one_line(exc)


def test_an_override_with_compose_merge_tags_is_read():
    """`!reset` / `!override` (used by infra/stack/compose.offline.yml) are Compose YAML, not errors."""
    files = ComposeFiles(
        (REPO / "docker-compose.yml", REPO / "infra" / "stack" / "compose.offline.yml"), REPO / ".env.example"
    )
    findings = audit_compose(files)
    assert all(f.check_id.startswith("compose.") for f in findings)
