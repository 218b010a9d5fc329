"""The pre-commit hook and the composite Action parse and run real CLI commands with real options."""

from __future__ import annotations

import re
import shlex
import subprocess
import tomllib

import yaml

from infra.cli import build_parser
from tests.output.formats import REPO

SCRIPT = "orderflow-infra"


def parses(command: str) -> None:
    """`orderflow-infra ARGS` as the console script would take it (shell expansions given values)."""
    words = shlex.split(
        re.sub(r"\$\{POLICY:\+[^}]*\}", "--policy service", command.replace("$FILES", "a.yml"))
    )
    words = [w for w in words if w not in (">", '"$SARIF"', "$SARIF")]
    assert words[0] == SCRIPT, command
    build_parser().parse_args(words[1:] or ["--help"])


def test_the_console_script_is_the_cli():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[SCRIPT] == "infra.cli:main"


def test_pre_commit_hook_runs_lint_on_compose_files():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "orderflow-compose-lint")
    parses(f"{hook['entry']} docker-compose.yml")
    pattern = re.compile(hook["files"])
    assert all(pattern.search(p) for p in ("docker-compose.yml", "deploy/compose.yaml", "compose.dev.yml"))
    assert not pattern.search("composer.json") and hook["language"] == "python"


def test_action_installs_the_harness_and_uploads_lint_sarif():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    commands = [
        line.strip()
        for step in steps
        for line in step.get("run", "").splitlines()
        if line.strip().startswith(SCRIPT)
    ]
    assert any("--format sarif" in c for c in commands) and any("--format github" in c for c in commands)
    for command in commands:
        parses(command.split(">")[0])
    assert any(str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif") for s in steps)
    assert any("github.action_path" in s.get("run", "") and "pip install" in s["run"] for s in steps)
    for name in re.findall(r"inputs\.([\w-]+)", (REPO / "action.yml").read_text()):
        assert name in action["inputs"], f"action.yml uses undeclared input {name}"


def test_ci_run_takes_a_project_and_refuses_unknown_options():
    """Options are read before anything is installed or started: a bad one costs nothing."""
    script = (REPO / ".ci" / "run").read_text()
    assert 'up --json "${up_args[@]}"' in script and "ORDERFLOW_PROJECT" in script
    for args in (["stack", "--bogus"], ["stack", "--project"]):
        proc = subprocess.run(
            ["bash", str(REPO / ".ci" / "run"), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert proc.returncode == 2 and proc.stdout == "", proc.stdout + proc.stderr
        assert proc.stderr.startswith("ci: ") and "--project" in proc.stderr
