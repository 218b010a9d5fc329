"""Negative cases for the static compose checks: each scenario breaks one rule, and that rule fires."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.compose_model import ComposeFiles
from infra.compose_rules import audit_compose
from infra.envfile import read_env_file
from infra.errors import HarnessError
from infra.findings import Finding

SCENARIOS = Path(__file__).parent / "scenarios"
pytestmark = [pytest.mark.compose]


def audit(name: str) -> list[Finding]:
    folder = SCENARIOS / name
    return audit_compose(
        ComposeFiles((folder / "docker-compose.yml",)), read_env_file(folder / "scenario.env")
    )


def ids(findings: list[Finding]) -> set[str]:
    return {f.check_id for f in findings}


def test_valid_scenario_is_clean():
    assert audit("valid") == []


CASES = [
    pytest.param(
        "no-name",
        "compose.name-set",
        "docker-compose.yml",
        id="no-name",
        marks=pytest.mark.negative("compose.name-set"),
    ),
    pytest.param(
        "version-key",
        "compose.no-version-key",
        "docker-compose.yml",
        id="version-key",
        marks=pytest.mark.negative("compose.no-version-key"),
    ),
    pytest.param(
        "latest-tag",
        "compose.image-pinned",
        "service redis",
        id="latest-tag",
        marks=pytest.mark.negative("compose.image-pinned"),
    ),
    pytest.param(
        "untagged-image",
        "compose.image-pinned",
        "service redis",
        id="untagged-image",
        marks=pytest.mark.negative("compose.image-pinned"),
    ),
    pytest.param(
        "floating-major-tag",
        "compose.image-pinned",
        "service postgres",
        id="floating-major-tag",
        marks=pytest.mark.negative("compose.image-pinned"),
    ),
    pytest.param(
        "no-healthcheck",
        "compose.healthcheck-present",
        "service redis",
        id="no-healthcheck",
        marks=pytest.mark.negative("compose.healthcheck-present"),
    ),
    pytest.param(
        "healthcheck-disabled",
        "compose.healthcheck-present",
        "service redis",
        id="healthcheck-disabled",
        marks=pytest.mark.negative("compose.healthcheck-present"),
    ),
    pytest.param(
        "timeout-not-below-interval",
        "compose.healthcheck-wellformed",
        "service postgres",
        id="timeout-not-below-interval",
        marks=pytest.mark.negative("compose.healthcheck-wellformed"),
    ),
    pytest.param(
        "no-start-period",
        "compose.healthcheck-wellformed",
        "service postgres",
        id="no-start-period",
        marks=pytest.mark.negative("compose.healthcheck-wellformed"),
    ),
    pytest.param(
        "pg-healthcheck-socket",
        "compose.healthcheck-no-early-pass",
        "service postgres",
        id="pg-healthcheck-socket",
        marks=pytest.mark.negative("compose.healthcheck-no-early-pass"),
    ),
    pytest.param(
        "redis-healthcheck-exit-code-only",
        "compose.healthcheck-no-early-pass",
        "service redis",
        id="redis-healthcheck-exit-code-only",
        marks=pytest.mark.negative("compose.healthcheck-no-early-pass"),
    ),
    pytest.param(
        "port-all-interfaces",
        "compose.ports-loopback",
        "service redis, port 6379",
        id="port-all-interfaces",
        marks=pytest.mark.negative("compose.ports-loopback"),
    ),
    pytest.param(
        "port-literal",
        "compose.ports-from-env",
        "service redis",
        id="port-literal",
        marks=pytest.mark.negative("compose.ports-from-env"),
    ),
    pytest.param(
        "default-password",
        "compose.no-default-secrets",
        "variable POSTGRES_PASSWORD",
        id="default-password",
        marks=pytest.mark.negative("compose.no-default-secrets"),
    ),
    pytest.param(
        "literal-password",
        "compose.no-default-secrets",
        "service postgres, POSTGRES_PASSWORD",
        id="literal-password",
        marks=pytest.mark.negative("compose.no-default-secrets"),
    ),
    pytest.param(
        "optional-password",
        "compose.secrets-required",
        "variable REDIS_PASSWORD",
        id="optional-password",
        marks=pytest.mark.negative("compose.secrets-required"),
    ),
    pytest.param(
        "optional-user",
        "compose.secrets-required",
        "variable POSTGRES_USER",
        id="optional-user",
        marks=pytest.mark.negative("compose.secrets-required"),
    ),
    pytest.param(
        "bind-mount-data",
        "compose.named-volumes",
        "service postgres, /var/lib/postgresql/data",
        id="bind-mount-data",
        marks=pytest.mark.negative("compose.named-volumes"),
    ),
    pytest.param(
        "anonymous-volume",
        "compose.named-volumes",
        "service redis, /data",
        id="anonymous-volume",
        marks=pytest.mark.negative("compose.named-volumes"),
    ),
    pytest.param(
        "privileged",
        "compose.no-privileged",
        "service postgres",
        id="privileged",
        marks=pytest.mark.negative("compose.no-privileged"),
    ),
    pytest.param(
        "docker-sock",
        "compose.no-docker-sock",
        "service redis",
        id="docker-sock",
        marks=pytest.mark.negative("compose.no-docker-sock"),
    ),
    pytest.param(
        "no-stop-grace",
        "compose.graceful-stop",
        "service redis",
        id="no-stop-grace",
        marks=pytest.mark.negative("compose.graceful-stop"),
    ),
    pytest.param(
        "postgres-sigkill",
        "compose.graceful-stop",
        "service postgres",
        id="postgres-sigkill",
        marks=pytest.mark.negative("compose.graceful-stop"),
    ),
]


@pytest.mark.parametrize(("scenario", "check_id", "where"), CASES)
def test_scenario_breaks_its_rule(scenario, check_id, where):
    findings = audit(scenario)
    assert check_id in ids(findings), f"{scenario}: expected {check_id}, got {sorted(ids(findings))}"
    assert any(where in f.where for f in findings if f.check_id == check_id), findings


@pytest.mark.parametrize("scenario", ["default-password", "literal-password"])
def test_secret_values_never_reported(scenario):
    text = "\n".join(f.render() for f in audit(scenario))
    assert "postgres" not in text.split("found:")[-1] or "not shown" in text
    assert "hunter2-literal" not in text


def test_malformed_file_is_named(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text("name: x\nservices:\n  a: [\n")
    with pytest.raises(HarnessError, match=rf"^{broken}:4: not valid YAML"):
        audit_compose(ComposeFiles((broken,)), {})


def test_missing_variable_is_named():
    folder = SCENARIOS / "valid"
    env = {k: v for k, v in read_env_file(folder / "scenario.env").items() if k != "REDIS_PASSWORD"}
    with pytest.raises(HarnessError, match=r"^variable REDIS_PASSWORD is missing"):
        audit_compose(ComposeFiles((folder / "docker-compose.yml",)), env)
