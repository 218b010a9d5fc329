"""Negative cases for the static compose checks: each scenario folder breaks one rule, and that
rule (and no other) fires, naming the service; a secret value never shows in a finding.

One test per check, parametrized by its scenarios, so the sensitivity matrix
(`python -m infra checks`) names the test that proves each check can fail.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file
from infra.compose.model import ComposeFiles
from infra.compose.rules import audit_compose
from infra.findings import Finding, render_all
from infra.masking import is_secret_name
from infra.registry import all_checks

SCENARIOS = Path(__file__).parent / "scenarios"
ENV = read_env_file(SCENARIOS / "scenario.env")
# Secrets planted in the broken files; no finding may quote them.
PLANTED = ("hunter2", "minioadmin")
pytestmark = [pytest.mark.compose]

# check id -> (scenario folder, a fragment of the finding's `where`)
NEGATIVES: dict[str, list[tuple[str, str]]] = {
    "compose.name-set": [("no-name", "no-name/docker-compose.yml")],
    "compose.no-version-key": [("version-key", "version-key/docker-compose.yml")],
    "compose.image-pinned": [
        ("latest-tag", "service redis"),
        ("untagged-image", "service redis"),
        ("floating-major-tag", "service postgres"),
        ("redis-major-tag", "service redis"),
        ("bad-image-reference", "service redis"),
    ],
    "compose.healthcheck-present": [
        ("no-healthcheck", "service redis"),
        ("healthcheck-disabled", "service redis"),
    ],
    "compose.healthcheck-wellformed": [
        ("timeout-not-below-interval", "service postgres"),
        ("no-start-period", "service postgres"),
        ("zero-retries", "service postgres"),
    ],
    "compose.healthcheck-no-early-pass": [
        ("pg-healthcheck-socket", "service postgres"),
        ("pg-healthcheck-no-probe", "service postgres"),
        ("redis-healthcheck-exit-code-only", "service redis"),
    ],
    "compose.ports-loopback": [("port-all-interfaces", "service redis, port 6379")],
    "compose.ports-from-env": [("port-literal", "service redis")],
    "compose.no-default-secrets": [
        ("default-password", "variable POSTGRES_PASSWORD at docker-compose.yml:8"),
        ("literal-password", "service postgres, environment POSTGRES_PASSWORD"),
        ("literal-root-user", "service minio, environment MINIO_ROOT_USER"),
        ("password-in-command", "service redis, command"),
    ],
    "compose.secrets-required": [
        ("optional-password", "variable REDIS_PASSWORD"),
        ("optional-user", "variable POSTGRES_USER"),
        ("unbraced-password", "variable MINIO_ROOT_PASSWORD"),
    ],
    "compose.named-volumes": [
        ("bind-mount-data", "service postgres, /var/lib/postgresql/data"),
        ("anonymous-volume", "service redis, /data"),
        ("no-data-volume", "service minio, /data"),
    ],
    "compose.no-privileged": [("privileged", "service postgres")],
    "compose.no-docker-sock": [("docker-sock", "service redis"), ("docker-run-dir", "service minio")],
    "compose.no-host-namespaces": [("host-network", "service redis")],
    "compose.graceful-stop": [
        ("no-stop-grace", "service redis"),
        ("postgres-sigkill", "service postgres"),
        ("postgres-no-stop-signal", "service postgres"),
    ],
}
# A default is also not the required form: that scenario rightly breaks both rules.
ALSO_FIRES = {"default-password": {"compose.secrets-required"}}
ALL_SCENARIOS = sorted(folder for cases in NEGATIVES.values() for folder, _ in cases)


@cache  # one `docker compose config` per scenario and session
def audit(name: str) -> list[Finding]:
    folder = SCENARIOS / name
    own_env = folder / "scenario.env"
    env = read_env_file(own_env) if own_env.is_file() else ENV
    return audit_compose(ComposeFiles((folder / "docker-compose.yml",)), env)


def assert_fails(scenario: str, check_id: str, where: str) -> None:
    """`scenario` fails `check_id` (and no other check), with a finding located at `where`."""
    __tracebackhide__ = True
    findings = audit(scenario)
    fired = {f.check_id for f in findings}
    assert check_id in fired, f"{scenario}: expected a {check_id} finding\n{render_all(findings)}"
    assert fired - {check_id} <= ALSO_FIRES.get(scenario, set()), render_all(findings)
    assert any(where in f.where for f in findings if f.check_id == check_id), render_all(findings)


def test_valid_scenario_is_clean():
    findings = audit("valid")
    assert not findings, render_all(findings)


def test_every_scenario_folder_and_compose_check_has_a_case():
    folders = {p.name for p in SCENARIOS.iterdir() if p.is_dir()} - {"valid"}
    assert folders == set(ALL_SCENARIOS)
    assert set(NEGATIVES) == {c.id for c in all_checks().values() if c.concern == "compose"}


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_findings_never_quote_a_secret(scenario):
    text = render_all(audit(scenario))
    for secret in [*PLANTED, *(v for k, v in ENV.items() if is_secret_name(k))]:
        assert secret not in text


@pytest.mark.negative("compose.name-set")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.name-set"])
def test_no_name_fails(scenario, where):
    assert_fails(scenario, "compose.name-set", where)


@pytest.mark.negative("compose.no-version-key")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.no-version-key"])
def test_version_key_fails(scenario, where):
    assert_fails(scenario, "compose.no-version-key", where)


@pytest.mark.negative("compose.image-pinned")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.image-pinned"])
def test_floating_or_bad_image_fails(scenario, where):
    assert_fails(scenario, "compose.image-pinned", where)


@pytest.mark.negative("compose.healthcheck-present")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.healthcheck-present"])
def test_missing_or_disabled_healthcheck_fails(scenario, where):
    assert_fails(scenario, "compose.healthcheck-present", where)


@pytest.mark.negative("compose.healthcheck-wellformed")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.healthcheck-wellformed"])
def test_malformed_healthcheck_fails(scenario, where):
    assert_fails(scenario, "compose.healthcheck-wellformed", where)


@pytest.mark.negative("compose.healthcheck-no-early-pass")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.healthcheck-no-early-pass"])
def test_healthcheck_that_passes_early_fails(scenario, where):
    assert_fails(scenario, "compose.healthcheck-no-early-pass", where)


@pytest.mark.negative("compose.ports-loopback")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.ports-loopback"])
def test_port_on_all_interfaces_fails(scenario, where):
    assert_fails(scenario, "compose.ports-loopback", where)


@pytest.mark.negative("compose.ports-from-env")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.ports-from-env"])
def test_literal_host_port_fails(scenario, where):
    assert_fails(scenario, "compose.ports-from-env", where)


@pytest.mark.negative("compose.no-default-secrets")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.no-default-secrets"])
def test_default_or_literal_secret_fails(scenario, where):
    assert_fails(scenario, "compose.no-default-secrets", where)


@pytest.mark.negative("compose.secrets-required")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.secrets-required"])
def test_optional_credential_fails(scenario, where):
    assert_fails(scenario, "compose.secrets-required", where)


@pytest.mark.negative("compose.named-volumes")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.named-volumes"])
def test_data_off_a_named_volume_fails(scenario, where):
    assert_fails(scenario, "compose.named-volumes", where)


@pytest.mark.negative("compose.no-privileged")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.no-privileged"])
def test_privileged_fails(scenario, where):
    assert_fails(scenario, "compose.no-privileged", where)


@pytest.mark.negative("compose.no-docker-sock")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.no-docker-sock"])
def test_docker_socket_mount_fails(scenario, where):
    assert_fails(scenario, "compose.no-docker-sock", where)


@pytest.mark.negative("compose.no-host-namespaces")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.no-host-namespaces"])
def test_host_network_fails(scenario, where):
    assert_fails(scenario, "compose.no-host-namespaces", where)


@pytest.mark.negative("compose.graceful-stop")
@pytest.mark.parametrize(("scenario", "where"), NEGATIVES["compose.graceful-stop"])
def test_abrupt_stop_fails(scenario, where):
    assert_fails(scenario, "compose.graceful-stop", where)
