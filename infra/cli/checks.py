"""CLI commands about the checks themselves: the sensitivity matrix (from pytest's collection) and CI
summaries of pytest runs."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from infra.config import REPO_ROOT
from infra.errors import HarnessError
from infra.registry import all_checks
from infra.report import Report, Result

COVERAGE_OPTION = (
    "--orderflow-checks-coverage"  # the pytest plugin writes each collected item's markers there
)


@dataclass
class Coverage:
    """Where each check id is asserted (`check` markers) and where a negative case makes it fail
    (`negative` markers), as pytest collects them: parametrized tests count once per case."""

    checks: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    negatives: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    markers: dict[str, list[str]] = field(default_factory=dict)  # node id -> its markers' names

    @classmethod
    def of(cls, items: Mapping[str, Mapping[str, Sequence[str]]]) -> Coverage:
        """From {node id: {"check": [ids], "negative": [ids], "markers": [names]}}, the plugin's file."""
        coverage = cls()
        for nodeid, marks in items.items():
            coverage.markers[nodeid] = list(marks.get("markers", ()))
            for check_id in marks.get("check", ()):
                coverage.checks[check_id].append(nodeid)
            for check_id in marks.get("negative", ()):
                coverage.negatives[check_id].append(nodeid)
        return coverage


def collect_coverage(root: Path = REPO_ROOT, *pytest_args: str) -> Coverage:
    """`pytest --collect-only` in a subprocess (infra never imports pytest); its plugin writes the markers."""
    with tempfile.TemporaryDirectory(prefix="orderflow-coverage-") as tmp:
        out = Path(tmp) / "coverage.json"
        command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        proc = subprocess.run(
            [*command, f"{COVERAGE_OPTION}={out}", *pytest_args],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if proc.returncode != 0 or not out.is_file():
            tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-3:])
            raise HarnessError(
                f"pytest --collect-only failed (exit {proc.returncode}): {tail}",
                f"run `pytest --collect-only` in {root} to see the error",
            )
        return Coverage.of(json.loads(out.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class MatrixRow:
    id: str
    concern: str
    title: str
    why: str
    checked_by: list[str]
    negative_cases: list[str]


def matrix(coverage: Coverage | None = None) -> list[MatrixRow]:
    """Every declared check with where it is asserted and which negative cases make it fail."""
    coverage = collect_coverage() if coverage is None else coverage
    return [
        MatrixRow(
            c.id, c.concern, c.title, c.why, coverage.checks.get(c.id, []), coverage.negatives.get(c.id, [])
        )
        for c in sorted(all_checks().values(), key=lambda c: c.id)
    ]


def checks_report(rows: list[MatrixRow], uncovered: list[str]) -> Report:
    """`checks --json` in the shared report format: per check id, passed when it is asserted and has a
    negative case, failed otherwise."""
    report = Report("checks", data={"checks": [asdict(r) for r in rows], "uncovered": uncovered})
    for r in rows:
        missing = [
            w for w, has in (("a check", r.checked_by), ("a negative case", r.negative_cases)) if not has
        ]
        text = f"{len(r.checked_by)} check(s), {len(r.negative_cases)} negative case(s)"
        message = text + (f"; without {' and '.join(missing)}" if missing else "")
        report.add(Result(r.id, "failed" if missing else "passed", message, r.concern))
    return report.finish()


def cmd_checks(args: argparse.Namespace) -> int:
    rows = matrix()
    uncovered = [r.id for r in rows if not r.negative_cases or not r.checked_by]
    if args.json:
        print(checks_report(rows, uncovered).to_json())
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
