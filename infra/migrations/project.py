"""The harness's side of infra.migrations.child: one child process per (interpreter, tree), started
on first use and kept for the process's life (the tree's revision files are imported once there, as
they are here), stopped at exit. Requests and answers are JSON lines; the URL travels on stdin, never
in argv. The child's stderr (env.py's logging, stray prints) goes to a file, shown on a failure.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import tempfile
from pathlib import Path
from typing import IO, Any

from infra.errors import HarnessError

CHILD = Path(__file__).with_name("child.py")
_RUNNING: dict[tuple[Path, Path], ProjectAlembic] = {}


class ChildError(Exception):
    """The project's code raised in the child: its type name and first line."""

    def __init__(self, type_name: str, message: str) -> None:
        super().__init__(message)
        self.type_name = type_name


class ChildDatabaseError(ChildError):
    """A SQLAlchemy error in the child (the database refused something)."""


class ProjectAlembic:
    def __init__(self, python: Path, ini: Path, script_location: str) -> None:
        if not python.is_file():
            raise HarnessError(
                f"--python {python} does not exist", "pass the project's interpreter, e.g. venv/bin/python"
            )
        self.log: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - lives with the child
        self.proc = subprocess.Popen(
            [str(python), str(CHILD), str(ini), script_location],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            cwd=ini.parent,
        )
        self.python = python

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        try:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            self.log.seek(0)
            tail = " | ".join(self.log.read().strip().splitlines()[-3:])
            raise HarnessError(
                f"the project's Alembic ({self.python}) stopped: {tail or 'no output'}",
                "does that interpreter have alembic >= 1.8 and SQLAlchemy >= 1.4 installed?",
            )
        answer: dict[str, Any] = json.loads(line)
        if answer["ok"]:
            return answer
        first = (str(answer["message"]).strip().splitlines() or [""])[0]
        if answer["not_implemented"]:
            raise NotImplementedError(first)
        raise (ChildDatabaseError if answer["database"] else ChildError)(answer["type"], first)

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def project_alembic(python: Path, ini: Path, script_location: str) -> ProjectAlembic:
    """The running child for this interpreter and tree (started on first use)."""
    key = (python, ini.resolve())
    child = _RUNNING.get(key)
    if child is None or child.proc.poll() is not None:
        child = _RUNNING[key] = ProjectAlembic(python, ini.resolve(), script_location)
    return child


@atexit.register
def _stop_all() -> None:
    for child in _RUNNING.values():
        child.stop()
    _RUNNING.clear()
