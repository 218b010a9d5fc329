"""`docker events` as a child process that is always drained and reaped, whatever happens.

Why: a child whose stdout pipe nobody reads never exits once the pipe is full; terminate-then-wait
then hangs forever (seen: 13 minutes after a failed `up`). `close` drains while it waits, and kills
when the grace period passes, so it returns within a bounded time on every path.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from typing import Any

PROJECT_LABEL = "com.docker.compose.project"
CLOSE_GRACE_S = 2.0


class DockerEvents:
    """Container events of one Compose project between two instants, as decoded dicts.

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
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def __iter__(self) -> Iterator[dict[str, Any]]:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            if line.strip():
                yield json.loads(line)

    def close(self, grace_s: float = CLOSE_GRACE_S) -> None:
        """Stop the child and drain its pipe; kill it if it does not end within `grace_s`."""
        if self._proc.poll() is None:
            self._proc.terminate()
        try:
            self._proc.communicate(timeout=grace_s)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate(timeout=grace_s)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def __enter__(self) -> DockerEvents:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
