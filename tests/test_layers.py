"""The import contracts in pyproject.toml (run by `lint-imports` in .ci/run) hold, and can fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    """infra/, schema/ and pyproject.toml copied, so a violation can be planted without touching ours."""
    for package in ("infra", "schema"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("node_modules", "__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_our_tree_keeps_every_contract():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout[-2000:]


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("schema/leak.py", "import infra.errors\n", "never imports the harness"),
        ("infra/leak.py", "import pytest\n", "never imports pytest"),
        ("infra/probes/leak.py", "import infra.compose.rules\n", "never the static compose rules"),
        ("infra/compose/leak.py", "import infra.stack.lifecycle\n", "data flows one way"),
    ],
)
def test_a_planted_violation_breaks_its_contract(tree_copy, module, line, contract):
    (tree_copy / module).write_text(line)
    result = lint(tree_copy)
    assert result.returncode != 0
    broken = result.stdout.split("Broken contracts")[-1]
    assert contract in broken, result.stdout[-2000:]
