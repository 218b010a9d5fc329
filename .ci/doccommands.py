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


def run(doc: Path, root: Path) -> int:
    """Run the doc's `ci` commands in order with bash from `root`; stop at the first failure. Stacks
    the commands started are removed at the end, whatever happened."""
    before = _stacks(root)
    failed = 0
    try:
        for cmd in commands(doc):
            if cmd.kind != "ci" or any(p.search(cmd.text) for p in _SELF):
                continue
            started = time.monotonic()
            try:
                done = subprocess.run(
                    ["bash", "-c", f"set -euo pipefail; {cmd.text}"],
                    cwd=root,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=_TIMEOUT_S,
                    check=False,
                )
                rc, tail = done.returncode, (done.stdout + done.stderr).strip().splitlines()[-5:]
            except subprocess.TimeoutExpired:
                rc, tail = 124, [f"no answer in {_TIMEOUT_S:.0f} s"]
            took = time.monotonic() - started
            print(f"{cmd.where()}: exit {rc} in {took:.1f} s: {cmd.text}")
            if rc != 0:
                print("\n".join(f"    {line}" for line in tail))
                failed = 1
                break
    finally:
        for project in sorted(_stacks(root) - before):
            subprocess.run(
                [sys.executable, "-m", "infra", "down", "--project", project, "--volumes"],
                cwd=root,
                capture_output=True,
                check=False,
            )
    return failed


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
