"""Stack lifecycle through `docker compose`: up, wait for health on Docker events with a deadline,
tear down, and explain failures.

`up` reconciles: it judges the containers that exist after `docker compose up`, by container id,
so the events of containers being replaced (a changed configuration) are not read as failures. A
failed or interrupted start removes only what this very call created: never a volume that existed
before it, never a stack that was there before it.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import docker

from infra.compose.model import ComposeFiles, ComposeModel, load_model
from infra.environ import child_env, run_bounded
from infra.errors import HarnessError
from infra.masking import SecretEnv, cut, mask, secret_values
from infra.progress import Progress
from infra.stack import signals
from infra.stack.events import PROJECT_LABEL, DockerEvents
from infra.stack.images import image_present
from infra.stack.inspection import ServiceStatus, StackStatus, container_diagnostics, service_status
from infra.stack.isolation import port_is_free

SERVICE_LABEL = "com.docker.compose.service"
WORKING_DIR_LABEL = "com.docker.compose.project.working_dir"
DOWN_TIMEOUT_S = 60
_PORT_TAKEN = re.compile(r"(?:Bind for |listen tcp4? )([\d.:\[\]a-f]*?):(\d+)(?: failed|: bind)")
_PULL_FAILED = re.compile(
    r"pull access denied|manifest unknown|no such host|failed to resolve|not found", re.I
)

__all__ = ["PROJECT_LABEL", "SERVICE_LABEL", "ServiceStatus", "Stack", "StackStatus"]


class Stack:
    """One Compose project. A context manager: `__enter__` starts it (removing what it created if the
    start fails partway), `__exit__` removes it with its volumes."""

    def __init__(
        self,
        files: ComposeFiles,
        env: Mapping[str, str],
        project: str,
        profile: str = "upstream",
        progress: Progress | None = None,
        *,
        model: ComposeModel | None = None,
        passfile: Path | None = None,
        profile_reason: str = "",
    ) -> None:
        self.files = files
        self.env = SecretEnv(env)
        self.project = project
        self.profile = profile
        self.profile_reason = profile_reason
        self.progress = progress or Progress()
        self.passfile = passfile  # libpq password file, so DSNs never carry the password
        self.state_file: Path | None = None  # set by the opener when the env comes from saved state
        # What Compose may quote back: secrets of the stack's env and of the process env it inherits.
        self._secrets = secret_values(child_env(self.env) or {}, names=[project])
        self._model = model

    # --- plumbing -------------------------------------------------------------------------
    @property
    def secrets(self) -> list[str]:
        """The values every channel must mask for this stack (see infra.masking.mask)."""
        return self._secrets

    def masked(self, text: str) -> str:
        return mask(text, self._secrets)

    def compose(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        """Run `docker compose <args>` for this project; the env reaches Compose through the process env."""
        try:
            proc = run_bounded(
                [*self.files.cli(self.project), *args], timeout=timeout, env=child_env(self.env)
            )
        except subprocess.TimeoutExpired:
            raise HarnessError(
                f"`docker compose {args[0]}` for {self.project} did not finish within {timeout:.0f}s "
                "(stopped)",
                "is the engine overloaded? see `docker ps`",
            ) from None
        if check and proc.returncode != 0:
            raise HarnessError(
                f"`docker compose {args[0]}` failed for project {self.project}: "
                f"{cut(proc.stderr.strip(), self._secrets, 500)}"
            )
        return proc

    @property
    def model(self) -> ComposeModel:
        if self._model is None:
            self._model = load_model(self.files, env=child_env(self.env), project=self.project)
        return self._model

    def containers(self) -> dict[str, Any]:
        """The project's containers by service name (Docker SDK objects), skipping ones removed meanwhile."""
        client = docker.from_env()
        try:
            found = client.containers.list(
                all=True, filters={"label": f"{PROJECT_LABEL}={self.project}"}, ignore_removed=True
            )
            return {c.labels[SERVICE_LABEL]: c for c in found if SERVICE_LABEL in c.labels}
        finally:
            client.close()

    def volumes(self) -> set[str]:
        proc = run_bounded(
            ["docker", "volume", "ls", "-q", "--filter", f"label={PROJECT_LABEL}={self.project}"], timeout=30
        )
        return set(proc.stdout.split())

    def working_dir(self) -> str | None:
        """The checkout whose Compose created the running containers (their working-dir label)."""
        dirs = {c.labels.get(WORKING_DIR_LABEL) for c in self.containers().values()}
        dirs.discard(None)
        return sorted(d for d in dirs if d)[0] if dirs else None

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
        holder = f"stop what holds it (`ss -ltnp 'sport = :{port}'`)"
        if self.state_file is not None:  # the saved port wins over the env file: say where it is
            return HarnessError(
                f"host port {port}{var} on {host} is already in use; {self.project} saved it in "
                f"{self.state_file} with the credentials its volumes were initialised with",
                f"{holder}, or run `python -m infra up --isolated --project {self.project} --new-ports` "
                "to move its ports and keep the credentials",
            )
        return HarnessError(
            f"host port {port}{var} on {host} is already in use",
            f"set {names[0] if names else 'the port variable'} to a free port, or {holder}",
        )

    def up(self, deadline_s: float = 120.0, services: Sequence[str] = ()) -> StackStatus:
        """Start (or reconcile) the stack and wait, on Docker events, until every service is healthy.
        `services`: only those (Compose adds what they depend on); default every service."""
        services = list(services) or list(self.model.services)
        before = {name: c.id for name, c in self.containers().items()}
        volumes_before = self.volumes()
        if not any(c.status == "running" for c in self.containers().values()):
            self.check_ports_free()
        started = time.time()
        events = DockerEvents(self.project, since=started, until=started + deadline_s)
        try:
            with self.progress.step(f"starting {self.project} ({', '.join(services)})"):
                only = services if set(services) != set(self.model.services) else []
                proc = self.compose(
                    "up",
                    "--detach",
                    "--no-color",
                    "--quiet-pull",
                    *only,
                    check=False,
                    timeout=deadline_s + 60,
                )
                if proc.returncode != 0:
                    raise self._up_error(proc.stderr)
                current = self.containers()
                recreated = tuple(s for s, c in current.items() if s in before and before[s] != c.id)
                if recreated:
                    self.progress.say(
                        f"recreated {', '.join(recreated)} (configuration changed; volumes kept)"
                    )
                healthy_at = self._wait_healthy(events, current, before, started, deadline_s)
        except BaseException as exc:
            with signals.held_off():
                events.close()
                left = self._undo(existed=bool(before), volumes_before=volumes_before)
            self.progress.say(left)
            if isinstance(exc, KeyboardInterrupt):
                raise signals.Interrupted(left) from None
            raise
        events.close()
        return self.status(healthy_at, recreated)

    def _undo(self, existed: bool, volumes_before: set[str]) -> str:
        """Remove what this call created, nothing else; say what is left."""
        if existed:
            return (
                f"{self.project} existed before this call: left as it is now, volumes untouched "
                f"(`python -m infra status --project {self.project}`)"
            )
        named = self.volumes()
        anonymous = {  # an image's VOLUME, made for this call's containers: `down` alone would leave it
            m["Name"]
            for c in self.containers().values()
            for m in c.attrs.get("Mounts") or ()
            if m.get("Type") == "volume" and m.get("Name") not in named
        }
        self.compose("down", "--remove-orphans", "--timeout", "3", check=False, timeout=DOWN_TIMEOUT_S)
        created = sorted((self.volumes() - volumes_before) | anonymous)
        if created:
            run_bounded(["docker", "volume", "rm", "-f", *created], timeout=30)
        kept = sorted(volumes_before & self.volumes())
        return f"removed {self.project}'s containers" + (
            f"; kept its existing volumes {', '.join(kept)}" if kept else " and the volumes this call created"
        )

    def _up_error(self, stderr: str) -> HarnessError:
        taken = _PORT_TAKEN.search(stderr)
        if taken:
            return self._port_taken_error(taken.group(1) or "0.0.0.0", int(taken.group(2)))  # noqa: S104
        lines = [line for line in self.masked(stderr).splitlines() if line.strip()]
        last = (lines or ["no output"])[-1]
        if _PULL_FAILED.search(stderr):
            absent = [
                f"{s.name} ({s.image})" for s in self.model.services.values() if not image_present(s.image)
            ]
            if absent:
                return HarnessError(
                    f"image missing for service {', '.join(absent)}: not present and not pullable ({last})",
                    "build the offline images (`python -m infra images build`) and use --profile offline, "
                    "or fix the image reference",
                )
        return HarnessError(
            f"`docker compose up` failed for {self.project}: {last}", "run `python -m infra doctor`"
        )

    def _wait_healthy(
        self,
        events: DockerEvents,
        current: Mapping[str, Any],
        before: Mapping[str, str],
        started: float,
        deadline_s: float,
    ) -> dict[str, float]:
        ids = {c.id: name for name, c in current.items()}
        healthy_at: dict[str, float] = {}
        for name, c in current.items():  # what each container is now; kept healthy ones need no event
            state = c.attrs["State"]
            health = (state.get("Health") or {}).get("Status")
            if state.get("Status") in ("exited", "dead") or health == "unhealthy":
                raise self._went(name, health or "exited", time.time() - started)
            if health == "healthy" and before.get(name) == c.id:
                healthy_at[name] = 0.0
        seen: dict[str, str] = {}
        if len(healthy_at) == len(current):
            return healthy_at
        for event in events:
            found = ids.get(event.get("id") or event.get("Actor", {}).get("ID", ""))
            if found is None:  # a replaced container, or a one-off: not part of the stack any more
                continue
            name, action = found, event.get("Action", "")
            at = event.get("timeNano", time.time_ns()) / 1e9 - started
            seen[name] = action
            if action == "health_status: healthy" and name not in healthy_at:
                healthy_at[name] = round(at, 3)
                self.progress.update(f"{name} healthy after {healthy_at[name]:.1f}s")
                if len(healthy_at) == len(current):
                    return healthy_at
            elif action in ("die", "oom", "health_status: unhealthy"):
                raise self._went(name, action.split(": ")[-1], at)
        waiting = [s for s in current if s not in healthy_at]
        tried = ", ".join(f"{s}: last event {seen.get(s, 'none')!r}" for s in waiting)
        raise HarnessError(
            f"waited {deadline_s:.0f}s for {', '.join(waiting)} of {self.project} to become healthy "
            f"on Docker events ({tried})\n{self.diagnostics(waiting)}",
            "raise the deadline if the machine is slow, else read the health-check log above",
        )

    def _went(self, service: str, what: str, after_s: float) -> HarnessError:
        return HarnessError(
            f"service {service} of {self.project} went {what} {after_s:.1f}s after start\n"
            f"{self.diagnostics([service])}",
            "read the health-check log and service logs above",
        )

    def down(self, remove_volumes: bool = True) -> None:
        args = ["down", "--remove-orphans"] + (["--volumes"] if remove_volumes else [])
        self.compose(*args, timeout=DOWN_TIMEOUT_S * 2)

    def status(
        self,
        healthy_at: Mapping[str, float] | None = None,
        recreated: tuple[str, ...] = (),
    ) -> StackStatus:
        healthy_at = healthy_at or {}
        services = {
            name: service_status(c, healthy_at.get(name), self._secrets)
            for name, c in self.containers().items()
        }
        total = round(max(healthy_at.values()), 3) if healthy_at else None
        return StackStatus(self.profile, self.project, total, services, recreated)

    def diagnostics(self, services: list[str] | None = None, log_lines: int = 20) -> str:
        """Health-check log, last log lines and `compose ps`, secrets masked (before any cut)."""
        parts = [
            container_diagnostics(name, c, self._secrets, log_lines)
            for name, c in self.containers().items()
            if not services or name in services
        ]
        ps = self.compose("ps", "--all", check=False, timeout=30).stdout.rstrip()
        return self.masked("\n".join([*parts, "--- docker compose ps:", ps]))

    # --- context manager ------------------------------------------------------------------
    def __enter__(self) -> Stack:
        self.up()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with signals.held_off():
            self.down(remove_volumes=True)
