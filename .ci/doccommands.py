"""The shell commands the README and docs show, read from their ```sh fences; `run` runs the `ci` ones.

    python .ci/doccommands.py run README.md     # from the repository root, as .ci/run does

Each fence is tagged on the line before it with how its commands are proven to work:

    <!-- commands: ci -->             `.ci/run` runs them in order, as written, on its fresh clone
    <!-- commands: test PATH::NAME --> that test runs them (in a project of its own)
    <!-- commands: needs INPUT -->    they need inputs outside the repository (a corpus, a git
                                      remote); `tests/docs` still parses every `python -m infra` line

A fence without a tag, or with an unknown one, is a defect the docs test reports.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

_TAG = re.compile(r"<!--\s*commands:\s*(?P<kind>ci|test|needs)\b\s*(?P<arg>.*?)\s*-->")
_FENCE = "```sh"


@dataclass(frozen=True)
class Command:
    """One shell command of a doc: where it is written, how its fence is proven, the command itself."""

    path: Path
    line: int
    kind: str  # ci | test | needs | "" (untagged)
    arg: str
    text: str

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _strip_comment(line: str) -> str:
    """`cmd --x  # what it does` -> `cmd --x` (a `#` inside quotes is kept)."""
    out, quote = [], ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            break
        out.append(ch)
    return "".join(out).rstrip()


def commands(path: Path) -> list[Command]:
    """Every command of every ```sh fence in `path`, continuation lines joined."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Command] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != _FENCE:
            i += 1
            continue
        tag = _TAG.search(lines[i - 1]) if i else None
        kind, arg = (tag["kind"], tag["arg"]) if tag else ("", "")
        i += 1
        pending, start = "", 0
        while i < len(lines) and lines[i].strip() != "```":
            text = _strip_comment(lines[i])
            if text.strip():
                start = start or i + 1
                if text.endswith("\\"):
                    pending += text[:-1].strip() + " "
                else:
                    found.append(Command(path, start, kind, arg, (pending + text.strip()).strip()))
                    pending, start = "", 0
            i += 1
        i += 1
    return found


# Commands that are this very script's caller, or the test command it has just run.
_SELF = (re.compile(r"^bash \.ci/run\b"), re.compile(r"^\.venv/bin/pytest -n 2 --junitxml"))
_TIMEOUT_S = 600.0


def _stacks(root: Path) -> set[str]:
    """Projects with a saved state in this checkout (the ones `up` made)."""
    return {p.stem for p in (root / ".orderflow" / "stacks").glob("*.json")}


def fences(doc: Path) -> list[list[Command]]:
    """The doc's commands grouped by fence, in order."""
    grouped: dict[tuple[int, str], list[Command]] = {}
    lines = doc.read_text(encoding="utf-8").splitlines()
    for cmd in commands(doc):
        opening = max(i for i in range(cmd.line) if lines[i - 1].strip() == _FENCE)
        grouped.setdefault((opening, cmd.kind), []).append(cmd)
    return list(grouped.values())


def run(doc: Path, root: Path) -> int:
    """Run each `ci` fence of the doc as one bash script from `root` (so `set -a; . ./.env` holds for
    the lines after it), in order; stop at the first failure. Stacks the commands started are
    removed at the end, whatever happened."""
    before = _stacks(root)
    try:
        for fence in fences(doc):
            todo = [c for c in fence if c.kind == "ci" and not any(p.search(c.text) for p in _SELF)]
            if not todo:
                continue
            script = "set -euo pipefail\n" + "".join(f"echo '+ {c.where()}'; {c.text}\n" for c in todo)
            started = time.monotonic()
            try:
                done = subprocess.run(
                    ["bash", "-c", script],
                    cwd=root,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=_TIMEOUT_S,
                    check=False,
                )
                rc, out = done.returncode, (done.stdout + done.stderr).strip().splitlines()
            except subprocess.TimeoutExpired:
                rc, out = 124, [f"no answer in {_TIMEOUT_S:.0f} s"]
            took = time.monotonic() - started
            print(f"{todo[0].where()}: {len(todo)} command(s), exit {rc} in {took:.1f} s")
            if rc != 0:
                ran = [line for line in out if line.startswith("+ ")]
                print(f"    failed at {ran[-1][2:] if ran else todo[0].where()}")
                print("\n".join(f"    {line}" for line in out[-8:]))
                return 1
    finally:
        for project in sorted(_stacks(root) - before):
            subprocess.run(
                [sys.executable, "-m", "infra", "down", "--project", project, "--volumes"],
                cwd=root,
                capture_output=True,
                check=False,
            )
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[1] == "run":
        return run(Path(argv[2]), Path.cwd())
    if len(argv) == 3 and argv[1] == "list":
        print(json.dumps([c.__dict__ | {"path": str(c.path)} for c in commands(Path(argv[2]))], indent=1))
        return 0
    print("usage: python .ci/doccommands.py run|list DOC", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
