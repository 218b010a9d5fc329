"""Negative cases for the static compose checks: each scenario folder breaks one rule, and that
rule (and no other) fires, naming the service; a secret value never shows in a finding."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from infra.compose_model import ComposeFiles
from infra.compose_rules import audit_compose
from infra.envfile import is_secret_name, read_env_file
from infra.findings import Finding, render_all

SCENARIOS = Path(__file__).parent / "scenarios"
ENV = read_env_file(SCENARIOS / "scenario.env")
# Secrets planted in the broken files; no finding may quote them.
PLANTED = ("hunter2", "minioadmin")
pytestmark = [pytest.mark.compose]


@cache  # one `docker compose config` per scenario and session
def audit(name: str) -> list[Finding]:
    folder = SCENARIOS / name
    own_env = folder / "scenario.env"
    env = read_env_file(own_env) if own_env.is_file() else ENV
    return audit_compose(ComposeFiles((folder / "docker-compose.yml",)), env)


def cases(mark: pytest.MarkDecorator, *scenarios: tuple[str, str]) -> list[object]:
    """Parameters for the scenarios (folder, a fragment of the finding's `where`) that must fail
    the check named by `mark` (`negative(id)`, read statically by the sensitivity matrix)."""
    check_id = mark.args[0]
    return [pytest.param(folder, check_id, where, id=folder, marks=mark) for folder, where in scenarios]


CASES = [
    *cases(pytest.mark.negative("compose.name-set"), ("no-name", "no-name/docker-compose.yml")),
    *cases(pytest.mark.negative("compose.no-version-key"), ("version-key", "version-key/docker-compose.yml")),
    *cases(
        pytest.mark.negative("compose.image-pinned"),
        ("latest-tag", "service redis"),
        ("untagged-image", "service redis"),
        ("floating-major-tag", "service postgres"),
        ("redis-major-tag", "service redis"),
        ("bad-image-reference", "service redis"),
    ),
    *cases(
        pytest.mark.negative("compose.healthcheck-present"),
        ("no-healthcheck", "service redis"),
        ("healthcheck-disabled", "service redis"),
    ),
    *cases(
        pytest.mark.negative("compose.healthcheck-wellformed"),
        ("timeout-not-below-interval", "service postgres"),
        ("no-start-period", "service postgres"),
        ("zero-retries", "service postgres"),
    ),
    *cases(
        pytest.mark.negative("compose.healthcheck-no-early-pass"),
        ("pg-healthcheck-socket", "service postgres"),
        ("pg-healthcheck-no-probe", "service postgres"),
        ("redis-healthcheck-exit-code-only", "service redis"),
    ),
    *cases(
        pytest.mark.negative("compose.ports-loopback"),
        ("port-all-interfaces", "service redis, port 6379"),
    ),
    *cases(pytest.mark.negative("compose.ports-from-env"), ("port-literal", "service redis")),
    *cases(
        pytest.mark.negative("compose.no-default-secrets"),
        ("default-password", "variable POSTGRES_PASSWORD at docker-compose.yml:8"),
        ("literal-password", "service postgres, environment POSTGRES_PASSWORD"),
        ("literal-root-user", "service minio, environment MINIO_ROOT_USER"),
        ("password-in-command", "service redis, command"),
    ),
    *cases(
        pytest.mark.negative("compose.secrets-required"),
        ("optional-password", "variable REDIS_PASSWORD"),
        ("optional-user", "variable POSTGRES_USER"),
        ("unbraced-password", "variable MINIO_ROOT_PASSWORD"),
    ),
    *cases(
        pytest.mark.negative("compose.named-volumes"),
        ("bind-mount-data", "service postgres, /var/lib/postgresql/data"),
        ("anonymous-volume", "service redis, /data"),
        ("no-data-volume", "service minio, /data"),
    ),
    *cases(pytest.mark.negative("compose.no-privileged"), ("privileged", "service postgres")),
    *cases(
        pytest.mark.negative("compose.no-docker-sock"),
        ("docker-sock", "service redis"),
        ("docker-run-dir", "service minio"),
    ),
    *cases(pytest.mark.negative("compose.no-host-namespaces"), ("host-network", "service redis")),
    *cases(
        pytest.mark.negative("compose.graceful-stop"),
        ("no-stop-grace", "service redis"),
        ("postgres-sigkill", "service postgres"),
        ("postgres-no-stop-signal", "service postgres"),
    ),
]
# A default is also not the required form: that scenario rightly breaks both rules.
ALSO_FIRES = {"default-password": {"compose.secrets-required"}}


def test_valid_scenario_is_clean():
    findings = audit("valid")
    assert not findings, render_all(findings)


def test_every_scenario_folder_has_a_case():
    folders = {p.name for p in SCENARIOS.iterdir() if p.is_dir()} - {"valid"}
    assert folders == {c.values[0] for c in CASES}


@pytest.mark.parametrize(("scenario", "check_id", "where"), CASES)
def test_scenario_breaks_its_rule(scenario, check_id, where):
    findings = audit(scenario)
    fired = {f.check_id for f in findings}
    assert check_id in fired, f"{scenario}: expected {check_id}\n{render_all(findings)}"
    assert fired - {check_id} <= ALSO_FIRES.get(scenario, set()), render_all(findings)
    assert any(where in f.where for f in findings if f.check_id == check_id), render_all(findings)


@pytest.mark.parametrize("scenario", [c.values[0] for c in CASES])
def test_findings_never_quote_a_secret(scenario):
    text = render_all(audit(scenario))
    for secret in [*PLANTED, *(v for k, v in ENV.items() if is_secret_name(k))]:
        assert secret not in text
