"""Static checks of the Compose file under test (`--compose-file`, default docker-compose.yml).

They read the raw YAML and the configuration `docker compose config` resolves; no engine needed.
Each check's reason is in infra/registry/ and in its rule's docstring.
"""

import pytest

from infra.findings import only, render_all
from infra.registry import all_checks

pytestmark = [pytest.mark.compose]


def assert_clean(findings, check_id):
    __tracebackhide__ = True
    mine = only(findings, check_id)
    assert not mine, f"{all_checks()[check_id].why}\n{render_all(mine)}"


@pytest.mark.check("compose.name-set")
def test_name_set(compose_findings):
    """The project name must not depend on the folder the file sits in."""
    assert_clean(compose_findings, "compose.name-set")


@pytest.mark.check("compose.no-version-key")
def test_no_version_key(compose_findings):
    """`version:` marks a Compose v1 file."""
    assert_clean(compose_findings, "compose.no-version-key")


@pytest.mark.check("compose.image-pinned")
def test_images_pinned(compose_findings):
    """Floating tags make two machines run two different servers."""
    assert_clean(compose_findings, "compose.image-pinned")


@pytest.mark.check("compose.healthcheck-present")
def test_healthcheck_present(compose_findings):
    """Without a health check, started cannot be told from ready."""
    assert_clean(compose_findings, "compose.healthcheck-present")


@pytest.mark.check("compose.healthcheck-wellformed")
def test_healthcheck_wellformed(compose_findings):
    """Overlapping probes and a missing start_period mark slow starts unhealthy."""
    assert_clean(compose_findings, "compose.healthcheck-wellformed")


@pytest.mark.check("compose.healthcheck-no-early-pass")
def test_healthcheck_cannot_pass_early(compose_findings):
    """A probe that passes during initialisation lets clients in too soon."""
    assert_clean(compose_findings, "compose.healthcheck-no-early-pass")


@pytest.mark.check("compose.ports-loopback")
def test_ports_on_loopback(compose_findings):
    """A dev database must not listen on the network."""
    assert_clean(compose_findings, "compose.ports-loopback")


@pytest.mark.check("compose.ports-from-env")
def test_ports_from_env(compose_findings):
    """Fixed host ports collide; each stack picks its own from the env."""
    assert_clean(compose_findings, "compose.ports-from-env")


@pytest.mark.check("compose.no-default-secrets")
def test_no_default_secrets(compose_findings):
    """A default password lives in every clone."""
    assert_clean(compose_findings, "compose.no-default-secrets")


@pytest.mark.check("compose.secrets-required")
def test_secrets_required(compose_findings):
    """An unset `${X}` becomes empty; `${X:?msg}` refuses to start."""
    assert_clean(compose_findings, "compose.secrets-required")


@pytest.mark.check("compose.named-volumes")
def test_named_volumes(compose_findings):
    """Data survives `down`/`up` only on named volumes."""
    assert_clean(compose_findings, "compose.named-volumes")


@pytest.mark.check("compose.no-privileged")
def test_no_privileged(compose_findings):
    """A privileged container is root on the host."""
    assert_clean(compose_findings, "compose.no-privileged")


@pytest.mark.check("compose.no-docker-sock")
def test_no_docker_sock(compose_findings):
    """The socket hands over the host's engine."""
    assert_clean(compose_findings, "compose.no-docker-sock")


@pytest.mark.check("compose.graceful-stop")
def test_graceful_stop(compose_findings):
    """Services must get time to stop cleanly, PostgreSQL with its fast shutdown."""
    assert_clean(compose_findings, "compose.graceful-stop")


@pytest.mark.check("compose.no-host-namespaces")
def test_no_host_namespaces(compose_findings):
    """On the host network, port publishing (and so the loopback rule) no longer applies."""
    assert_clean(compose_findings, "compose.no-host-namespaces")
