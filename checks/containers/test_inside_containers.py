"""Inside each running container: the expected server, not root, owning its data, listening.

Parametrized over the services (and published container ports) of the compose file under test;
the probes live in `infra.probes.containers`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

pytest.importorskip("testinfra", reason="the container checks need the [live] extra (pytest-testinfra)")

from infra.compose.model import load_model
from infra.config import HarnessConfig
from infra.environ import child_env
from infra.errors import HarnessError
from infra.findings import render_all
from infra.probes.containers import (
    ContainerTarget,
    data_dir_findings,
    data_paths,
    listening_verdict,
    main_process_findings,
    non_root_verdict,
    read_owners,
    read_processes,
    read_sockets,
)
from infra.stack.isolation import isolated_env
from pytest_orderflow.harness import project_start

pytestmark = [pytest.mark.infra, pytest.mark.containers]


@cache
def _declared(compose_file: str | None, env_file: str | None, start: Path) -> dict[str, tuple[int, ...]]:
    """Services of the compose file under test, with their published TCP container ports."""
    harness = HarnessConfig.resolve(compose_file, env_file, start=start)
    model = load_model(harness.base_files(), env=child_env(isolated_env(harness)))
    return {
        name: tuple(sorted({p.target for p in s.ports if p.protocol == "tcp"}))
        for name, s in model.services.items()
    }


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "service" not in metafunc.fixturenames:
        return
    try:
        declared = _declared(
            metafunc.config.getoption("--orderflow-compose-file"),
            metafunc.config.getoption("--orderflow-env-file"),
            project_start(metafunc.config),
        )
    except HarnessError as exc:
        skip = pytest.mark.skip(reason=f"cannot read the compose file's services: {exc}")
        metafunc.parametrize("service", [pytest.param("?", marks=skip)])
        return
    if "port" in metafunc.fixturenames:
        pairs = [(name, port) for name, ports in declared.items() for port in ports]
        metafunc.parametrize(("service", "port"), pairs, ids=[f"{n}-{p}" for n, p in pairs])
    else:
        metafunc.parametrize("service", list(declared))


@pytest.fixture(scope="module")
def targets(live_stack) -> dict[str, ContainerTarget]:
    stack = live_stack.stack
    return {
        name: ContainerTarget(name, container.name, stack.model.services[name].image, stack.profile)
        for name, container in stack.containers().items()
    }


@pytest.fixture
def target(targets, service) -> ContainerTarget:
    assert service in targets, f"no running container for service {service!r}; running: {sorted(targets)}"
    return targets[service]


@pytest.mark.check(main_process_findings.check)
def test_main_process_is_the_server(target):
    """A healthy container can still run the wrong thing; PID 1 must be the server itself."""
    findings = main_process_findings(target, read_processes(target))
    assert not findings, render_all(findings)


@pytest.mark.check(non_root_verdict.check)
def test_main_process_is_not_root(target):
    """Root only where the image documents it (ROOT_ALLOWED); reported as a skip with the reason."""
    verdict = non_root_verdict(target, read_processes(target))
    assert not verdict.findings, render_all(verdict.findings)
    if verdict.allowed:
        pytest.skip("; ".join(verdict.allowed))


@pytest.mark.check(data_dir_findings.check)
def test_data_directories_owned_by_the_server_user(target, live_stack):
    """The server's user owns every named-volume mount point (and PGDATA)."""
    paths = data_paths(live_stack.stack.model.services[target.service])
    findings = data_dir_findings(target, read_processes(target), read_owners(target, paths))
    assert not findings, render_all(findings)


@pytest.mark.check(listening_verdict.check)
def test_container_port_listening(target, port):
    """Each published container port LISTENs on a reachable address, read from /proc/net/tcp{,6}."""
    verdict = listening_verdict(target, read_sockets(target), port)
    assert not verdict.findings, render_all(verdict.findings)
