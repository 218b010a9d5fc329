"""The GitHub Actions examples cannot run here; they must at least parse and call only real commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from infra.cli import build_parser

WORKFLOWS = sorted((Path(__file__).resolve().parents[2] / ".github" / "workflows").glob("*.yml"))


def run_scripts(workflow: Path) -> list[str]:
    doc = yaml.safe_load(workflow.read_text())
    return [step["run"] for job in doc["jobs"].values() for step in job["steps"] if "run" in step]


def infra_invocations(script: str) -> list[list[str]]:
    """Every `python -m infra ...` command line in a run script (line continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", script)
    found = []
    for line in joined.splitlines():
        match = re.search(r"python -m infra (.+)", line)
        if match:
            words = shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "x", match.group(1)))
            found.append([w for w in words if w not in (">>", "||", "true")])
    return found


def test_the_three_uses_have_a_workflow():
    assert {w.stem for w in WORKFLOWS} == {"infra-gate", "nightly-audit", "premerge-roundtrip"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.stem)
def test_workflow_parses_and_calls_existing_commands(workflow):
    doc = yaml.safe_load(workflow.read_text())
    assert doc["jobs"] and (doc.get("on") or doc.get(True))  # YAML 1.1 reads the key `on` as True
    parser = build_parser()
    for script in run_scripts(workflow):
        for argv in infra_invocations(script):
            parser.parse_args(argv)  # argparse exits (SystemExit) on an unknown command or option
        assert ".ci/run" in script or "python -m infra" in script or "cat " in script


def test_a_wrong_option_is_caught():
    """The check above can fail: an option the CLI does not have is refused."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["roundtrip", "--base", "x", "--no-such-option"])
