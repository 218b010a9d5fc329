"""Stack lifecycle through `docker compose`: up with its own project name, wait for health on Docker
events with a deadline, measure per-service time-to-healthy, tear down, and explain failures.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import docker

from infra.compose.model import ComposeFiles, ComposeModel, load_model
from infra.environ import child_env
from infra.errors import HarnessError
from infra.masking import mask, secret_values
from infra.progress import Progress
from infra.stack.isolation import port_is_free

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
_PORT_TAKEN = re.compile(r"(?:Bind for |listen tcp4? )([\d.:\[\]a-f]*?):(\d+)(?: failed|: bind)")


class DockerEvents:
    """`docker events` for one Compose project between two instants, as decoded dicts.

    The stream ends by itself at `until` (the deadline), so waiting on it needs no polling.
    """

    def __init__(self, project: str, since: float, until: float) -> None:
        self._proc = subprocess.Popen(
            [
                "docker",
                "events",
                "--format",
                "{{json .}}",
                "--since",
                f"{since:.6f}",
                "--until",
                f"{until:.6f}",
                "--filter",
                "type=container",
                "--filter",
                f"label={PROJECT_LABEL}={project}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def __iter__(self) -> Iterator[dict[str, Any]]:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            if line.strip():
                yield json.loads(line)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.terminate()
        self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


@dataclass(frozen=True)
class ServiceStatus:
    state: str  # healthy, unhealthy, starting, running, exited...
    healthy_after_s: float | None = None
    ports: Mapping[str, str] = field(default_factory=dict)  # "5432/tcp" -> "127.0.0.1:49153"


@dataclass(frozen=True)
class StackStatus:
    profile: str
    project: str
    total_s: float | None
    services: Mapping[str, ServiceStatus]

    @property
    def all_healthy(self) -> bool:
        return bool(self.services) and all(s.state == "healthy" for s in self.services.values())


class Stack:
    """One Compose project. A context manager: `__enter__` starts it (tearing down if the start
    fails partway), `__exit__` removes it with its volumes."""

    def __init__(
        self,
        files: ComposeFiles,
        env: Mapping[str, str],
        project: str,
        profile: str = "upstream",
        progress: Progress | None = None,
    ) -> None:
        self.files = files
        self.env = dict(env)
        self.project = project
        self.profile = profile
        self.progress = progress or Progress()
        self._secrets = secret_values(self.env)
        self._model: ComposeModel | None = None

    # --- plumbing -------------------------------------------------------------------------
    def masked(self, text: str) -> str:
        return mask(text, self._secrets)

    def compose(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run `docker compose <args>` for this project; the env reaches Compose through the process env."""
        proc = subprocess.run(
            [*self.files.cli(self.project), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
            env=child_env(self.env),
        )
        if check and proc.returncode != 0:
            raise HarnessError(
                f"`docker compose {args[0]}` failed for project {self.project}: "
                f"{self.masked(proc.stderr.strip())[-500:]}"
            )
        return proc

    @property
    def model(self) -> ComposeModel:
        if self._model is None:
            self._model = load_model(self.files, env=child_env(self.env), project=self.project)
        return self._model

    def containers(self) -> dict[str, Any]:
        """The project's containers by service name (Docker SDK objects)."""
        client = docker.from_env()
        try:
            found = client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={self.project}"})
            return {c.labels[SERVICE_LABEL]: c for c in found}
        finally:
            client.close()

    # --- lifecycle ------------------------------------------------------------------------
    def check_ports_free(self) -> None:
        """Fail before starting anything when a published host port is taken."""
        for service in self.model.services.values():
            for port in service.ports:
                if port.published and not port_is_free(port.published, port.host_ip or "0.0.0.0"):  # noqa: S104
                    raise self._port_taken_error(port.host_ip or "0.0.0.0", port.published)  # noqa: S104

    def _port_taken_error(self, host: str, port: int) -> HarnessError:
        names = [k for k, v in self.env.items() if k.endswith("_PORT") and v == str(port)]
        var = f" ({names[0]})" if names else ""
        return HarnessError(
            f"host port {port}{var} on {host} is already in use",
            f"set {names[0] if names else 'the port variable'} to a free port, or stop what holds it "
            f"(`ss -ltnp 'sport = :{port}'`)",
        )

    def up(self, deadline_s: float = 120.0, remove_volumes_on_failure: bool = True) -> StackStatus:
        """Start the stack and wait, on Docker events, until every service is healthy.

        On failure nothing is left running: containers and networks are removed, and volumes too
        unless `remove_volumes_on_failure` is False (a developer's stack keeps its data).
        """
        services = list(self.model.services)
        already = self._already_healthy()
        if not already:
            self.check_ports_free()
        started = time.time()
        events = DockerEvents(self.project, since=started, until=started + deadline_s)
        try:
            with self.progress.step(f"starting {self.project} ({', '.join(services)})"):
                proc = self.compose("up", "--detach", "--no-color", "--quiet-pull", check=False)
                if proc.returncode != 0:
                    raise self._up_error(proc.stderr)
                healthy_at = self._wait_healthy(events, services, started, deadline_s, already)
        except BaseException:
            self.down(remove_volumes=remove_volumes_on_failure)
            raise
        finally:
            events.close()
        return self.status(healthy_at, started)

    def _already_healthy(self) -> dict[str, str]:
        """Container ids of services that were healthy before `up` (a re-run on a running stack)."""
        return {
            name: c.id
            for name, c in self.containers().items()
            if (c.attrs["State"].get("Health") or {}).get("Status") == "healthy"
        }

    def _up_error(self, stderr: str) -> HarnessError:
        taken = _PORT_TAKEN.search(stderr)
        if taken:
            return self._port_taken_error(taken.group(1) or "0.0.0.0", int(taken.group(2)))  # noqa: S104
        lines = [line for line in self.masked(stderr).splitlines() if line.strip()]
        return HarnessError(
            f"`docker compose up` failed for {self.project}: {(lines or ['no output'])[-1]}",
            "run `python -m infra doctor`",
        )

    def _wait_healthy(
        self,
        events: DockerEvents,
        services: list[str],
        started: float,
        deadline_s: float,
        already: Mapping[str, str],
    ) -> dict[str, float]:
        # A container that was healthy before `up` and that `up` kept (same id) needs no event.
        kept = {name for name, c in self.containers().items() if already.get(name) == c.id}
        healthy_at = {name: 0.0 for name in kept if name in services}
        seen: dict[str, str] = {}
        if len(healthy_at) == len(services):
            return healthy_at
        for event in events:
            attrs = event.get("Actor", {}).get("Attributes", {})
            service, action = attrs.get(SERVICE_LABEL), event.get("Action", "")
            if service not in services:
                continue
            at = event.get("timeNano", time.time_ns()) / 1e9
            seen[service] = action
            if action == "health_status: healthy" and service not in healthy_at:
                healthy_at[service] = round(at - started, 3)
                self.progress.update(f"{service} healthy after {healthy_at[service]:.1f}s")
                if len(healthy_at) == len(services):
                    return healthy_at
            elif action in ("die", "oom") or action == "health_status: unhealthy":
                raise HarnessError(
                    f"service {service} of {self.project} went {action.split(': ')[-1]} "
                    f"{at - started:.1f}s after start\n{self.diagnostics([service])}",
                    "read the health-check log and service logs above",
                )
        waiting = [s for s in services if s not in healthy_at]
        tried = ", ".join(f"{s}: last event {seen.get(s, 'none')!r}" for s in waiting)
        raise HarnessError(
            f"waited {deadline_s:.0f}s for {', '.join(waiting)} of {self.project} to become healthy "
            f"on Docker events ({tried})\n{self.diagnostics(waiting)}",
            "raise the deadline if the machine is slow, else read the health-check log above",
        )

    def down(self, remove_volumes: bool = True) -> None:
        args = ["down", "--remove-orphans"] + (["--volumes"] if remove_volumes else [])
        self.compose(*args)

    def status(
        self, healthy_at: Mapping[str, float] | None = None, started: float | None = None
    ) -> StackStatus:
        healthy_at = healthy_at or {}
        services = {}
        for name, container in self.containers().items():
            state = container.attrs["State"]
            health = state.get("Health", {}).get("Status")
            ports = {
                key: f"{b['HostIp']}:{b['HostPort']}"
                for key, bindings in (container.attrs["NetworkSettings"]["Ports"] or {}).items()
                for b in bindings or ()
            }
            services[name] = ServiceStatus(
                state=health or state["Status"], healthy_after_s=healthy_at.get(name), ports=ports
            )
        total = round(max(healthy_at.values()), 3) if healthy_at and started else None
        return StackStatus(profile=self.profile, project=self.project, total_s=total, services=services)

    # --- diagnostics ----------------------------------------------------------------------
    def diagnostics(self, services: list[str] | None = None, log_lines: int = 20) -> str:
        """Health-check log, last log lines and `compose ps`, secrets masked."""
        parts = []
        for name, container in self.containers().items():
            if services and name not in services:
                continue
            health = container.attrs["State"].get("Health") or {}
            checks = [
                f"    exit {h.get('ExitCode')}: {str(h.get('Output', '')).strip()[:200]}"
                for h in (health.get("Log") or [])[-3:]
            ]
            logs = container.logs(tail=log_lines).decode(errors="replace").rstrip()
            parts.append(
                f"--- {name}: {container.status}, health {health.get('Status', 'n/a')}, "
                f"restarts {container.attrs.get('RestartCount', 0)}\n"
                f"  health-check log:\n"
                + ("\n".join(checks) or "    (none)")
                + f"\n  last {log_lines} log lines:\n"
                + "\n".join(f"    {x}" for x in logs.splitlines())
            )
        ps = self.compose("ps", "--all", check=False).stdout.rstrip()
        return self.masked("\n".join([*parts, "--- docker compose ps:", ps]))

    # --- context manager ------------------------------------------------------------------
    def __enter__(self) -> Stack:
        self.up(remove_volumes_on_failure=True)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.down(remove_volumes=True)
