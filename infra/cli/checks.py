"""CLI commands about the checks themselves: the sensitivity matrix and CI summaries of pytest runs."""

from __future__ import annotations

import argparse
import ast
import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from infra.config import REPO_ROOT
from infra.errors import HarnessError
from infra.registry import all_checks


@dataclass
class Coverage:
    """Where each check id is asserted (checks/) and where a negative case makes it fail (tests/)."""

    checks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    negatives: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _marker_ids(node: ast.AST, marker: str) -> list[str]:
    """Ids in `pytest.mark.<marker>("id")` decorators or `pytestmark` assignments under `node`."""
    ids = []
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == marker
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "mark"
        ):
            ids += [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    return ids


def _node_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name.startswith(("test", "Test")):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def scan_coverage(root: Path = REPO_ROOT) -> Coverage:
    """Read the markers statically (no pytest import): test functions and classes in checks/ and tests/."""
    coverage = Coverage()
    for folder, marker, target in (
        ("checks", "check", coverage.checks),
        ("tests", "negative", coverage.negatives),
    ):
        for path in sorted((root / folder).rglob("test_*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in tree.body:  # tests, and module-level parameter lists (pytest.param(..., marks=...))
                name = _node_name(node)
                if name:
                    for check_id in _marker_ids(node, marker):
                        target[check_id].append(f"{path.relative_to(root)}::{name}")
    return coverage


@dataclass(frozen=True)
class MatrixRow:
    id: str
    concern: str
    title: str
    why: str
    checked_by: list[str]
    negative_cases: list[str]


def matrix(root: Path = REPO_ROOT) -> list[MatrixRow]:
    """Every declared check with where it is asserted and which negative cases make it fail."""
    coverage = scan_coverage(root)
    return [
        MatrixRow(
            c.id, c.concern, c.title, c.why, coverage.checks.get(c.id, []), coverage.negatives.get(c.id, [])
        )
        for c in sorted(all_checks().values(), key=lambda c: c.id)
    ]


def cmd_checks(args: argparse.Namespace) -> int:
    rows = matrix()
    uncovered = [r.id for r in rows if not r.negative_cases or not r.checked_by]
    if args.json:
        print(json.dumps({"checks": [asdict(r) for r in rows], "uncovered": uncovered}, indent=2))
    else:
        for r in rows:
            print(f"{r.id:40} {len(r.checked_by)} check(s)  {len(r.negative_cases)} negative case(s)")
        print(f"{len(rows)} checks; without a check or a negative case: {', '.join(uncovered) or 'none'}")
    return 1 if uncovered else 0


def junit_counts(path: Path) -> dict[str, int]:
    if not path.is_file():
        raise HarnessError(f"JUnit file {path} does not exist", "run pytest with --junitxml")
    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.iter("testsuite"):
        for key in counts:
            counts[key] += int(suite.get(key, 0))
    return counts


def cmd_ci_summary(args: argparse.Namespace) -> int:
    """Counts from pytest's JUnit XML as Markdown; fails when nothing ran."""
    counts = junit_counts(Path(args.junit))
    passed = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    skipped = []
    root = ET.parse(args.junit).getroot()  # noqa: S314
    for case in root.iter("testcase"):
        skip = case.find("skipped")
        if skip is not None:
            skipped.append(f"- `{case.get('classname')}::{case.get('name')}`: {skip.get('message', '')}")
    text = "\n".join(
        [
            f"## pytest: {passed} passed, {counts['failures']} failed, {counts['errors']} errors, "
            f"{counts['skipped']} skipped",
            "",
            *(["Skipped:", *skipped] if skipped else []),
        ]
    )
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    if counts["tests"] == 0:
        raise HarnessError(f"{args.junit}: no test ran", "check the test selection (-m, -k, paths)")
    return 0
