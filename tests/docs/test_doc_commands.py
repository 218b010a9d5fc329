"""Every command the README and docs show is proven: its fence says who runs it, and nothing in it
names a command or an option that does not exist. Negative cases: a doc of our own making."""

from __future__ import annotations

import importlib.util
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from infra.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
README_MAX_LINES = 150
_INFRA = re.compile(r"(?:^|\s)(?:\S*python\S* -m infra|\S*orderflow-infra)\s+(?P<args>.*)$")
_PYTEST = re.compile(r"(?:^|\s)\S*pytest\s+(?P<args>.*)$")


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("doccommands", ROOT / ".ci" / "doccommands.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["doccommands"] = module
    spec.loader.exec_module(module)
    return module


doccommands = _load()


def _problems(doc: Path) -> list[str]:
    """What is wrong with the commands of one doc: untagged fences, tests that do not exist,
    `python -m infra` lines argparse refuses, pytest options pytest does not know."""
    problems = []
    for cmd in doccommands.commands(doc):
        if cmd.kind == "":
            problems.append(f"{cmd.where()}: fence without a `<!-- commands: ... -->` tag")
        if cmd.kind == "test":
            path, _, name = cmd.arg.partition("::")
            test_file = ROOT / path
            if not test_file.is_file() or f"def {name}(" not in test_file.read_text(encoding="utf-8"):
                problems.append(f"{cmd.where()}: names no existing test: {cmd.arg}")
        if match := _INFRA.search(cmd.text):
            problems.extend(f"{cmd.where()}: {p}" for p in _infra_problems(match["args"]))
        elif match := _PYTEST.search(cmd.text):
            known = _pytest_options()
            for option in re.findall(r"(?:^|\s)(--[a-z][\w-]*)", match["args"]):
                if option not in known:
                    problems.append(f"{cmd.where()}: pytest has no option {option}")
    return problems


def _infra_problems(args: str) -> list[str]:
    try:
        argv = shlex.split(args.split("|", maxsplit=1)[0] if " | " in args else args)
    except ValueError as exc:
        return [f"cannot split {args!r}: {exc}"]
    try:
        build_parser().parse_args(argv)
    except SystemExit:
        return [f"`python -m infra {args}` is refused by the CLI's parser"]
    return []


@cache
def _pytest_options() -> frozenset[str]:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    aliases = {"--junitxml"}  # pytest's own alias of --junit-xml, not shown by --help
    return frozenset(re.findall(r"(--[a-z][\w-]*)", out)) | aliases


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_command_of_the_doc_is_proven_and_exists(doc, capsys):
    problems = _problems(doc)
    capsys.readouterr()  # argparse's own messages for refused lines
    assert not problems, "\n".join(problems)


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".ci/doccommands.py run README.md" in ci
    assert any(c.kind == "ci" for c in doccommands.commands(ROOT / "README.md"))


def test_readme_is_short_enough_for_a_newcomer():
    assert len((ROOT / "README.md").read_text().splitlines()) <= README_MAX_LINES


def test_an_untagged_fence_a_missing_test_and_an_unknown_option_are_reported(tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "```sh\n.venv/bin/python -m infra doctor\n```\n"
        "<!-- commands: test tests/docs/nope.py::test_x -->\n```sh\nls\n```\n"
        "<!-- commands: ci -->\n```sh\n.venv/bin/python -m infra up --no-such-flag  # a comment\n"
        ".venv/bin/pytest -m compose --no-such-pytest-option\n```\n"
    )
    problems = _problems(doc)
    capsys.readouterr()
    assert [p.split(": ", 1)[1] for p in problems] == [
        "fence without a `<!-- commands: ... -->` tag",
        "names no existing test: tests/docs/nope.py::test_x",
        "`python -m infra up --no-such-flag` is refused by the CLI's parser",
        "pytest has no option --no-such-pytest-option",
    ]


def test_continuations_are_joined_and_comments_dropped(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("<!-- commands: ci -->\n```sh\nA=1 cmd --x \\\n    --y '#kept'  # dropped\n```\n")
    (cmd,) = doccommands.commands(doc)
    assert (cmd.kind, cmd.line, cmd.text) == ("ci", 3, "A=1 cmd --x --y '#kept'")
