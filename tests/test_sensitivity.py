"""The sensitivity matrix: every check is asserted somewhere and has a negative case that makes it fail,
as pytest collects them; a check's id prefix, its folder under checks/ and its marker agree; and a
check id is written once where it is declared (plus at most one document), never copied around."""

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from infra.cli.checks import Coverage, collect_coverage, matrix
from infra.registry import all_checks

ROOT = Path(__file__).resolve().parent.parent


@cache
def coverage() -> Coverage:
    return collect_coverage()


def test_every_check_has_a_check_and_a_negative_case():
    rows = matrix(coverage())
    assert len(rows) == len(all_checks()) > 0
    no_check = [r.id for r in rows if not r.checked_by]
    no_negative = [r.id for r in rows if not r.negative_cases]
    assert not no_check, f"declared but never asserted in checks/: {no_check}"
    assert not no_negative, f"no negative case in tests/ proves these can fail: {no_negative}"


def test_checks_live_in_their_concerns_folder_and_carry_its_marker():
    """A `live.*` check is asserted under checks/live/ by a test marked `live`."""
    wrong = []
    for check_id, nodeids in coverage().checks.items():
        concern = all_checks()[check_id].concern
        wrong += [n for n in nodeids if not n.startswith(f"checks/{concern}/")]
    assert not wrong, f"checks outside checks/<concern>/: {wrong}"
    unmarked = [
        nodeid
        for check_id, nodeids in coverage().checks.items()
        for nodeid in nodeids
        if all_checks()[check_id].concern not in coverage().markers[nodeid]
    ]
    assert not unmarked, f"checks without their concern's marker: {unmarked}"


def test_a_typo_in_a_marker_fails_collection(tmp_path):
    """A marker naming no declared check is a usage error, not a silently uncovered check."""
    (tmp_path / "test_typo.py").write_text(
        'import pytest\n@pytest.mark.negative("live.no-such-check")\ndef test_a(): pass\n'
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "pytest_orderflow.harness",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 4 and "names no declared check" in proc.stdout + proc.stderr


def test_coverage_reads_the_collection(tmp_path):
    """The matrix comes from pytest's collection: a parametrized negative counts once per case, and a
    check without a negative case is reported uncovered."""
    one, two = list(all_checks())[:2]
    found = Coverage.of(
        {
            "checks/x/test_x.py::test_a": {"check": [one], "negative": []},
            "tests/x/test_y.py::test_b[one]": {"check": [], "negative": [two]},
            "tests/x/test_y.py::test_b[two]": {"check": [], "negative": [two]},
        }
    )
    rows = {r.id: r for r in matrix(found)}
    assert rows[one].checked_by == ["checks/x/test_x.py::test_a"]
    assert rows[one].negative_cases == []
    assert len(rows[two].negative_cases) == 2


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [ROOT / line for line in listed.stdout.splitlines() if (ROOT / line).is_file()]


def test_no_check_id_is_written_more_than_twice():
    """Declared once next to its code (and named at most once more, e.g. in CONVENTIONS.md): tests and
    reports refer to the declaration, so an id never drifts between copies."""
    ids = set(all_checks())
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(i) for i in sorted(ids)) + r")\b(?![-\w])")
    counts: dict[str, list[str]] = {i: [] for i in ids}
    for path in _tracked_files():
        rel = path.relative_to(ROOT).as_posix()
        if _negative_case_data(rel):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for match in pattern.finditer(text):
            counts[match.group(0)].append(rel)
    copied = {i: where for i, where in counts.items() if len(where) > 2}
    assert not copied, f"check ids written more than twice: {copied}"


def _negative_case_data(rel: str) -> bool:
    """Scenario folders (and migration example trees) name the check they break: that is their job."""
    parts = rel.split("/")
    return parts[0] == "tests" and ("scenarios" in parts or "examples" in parts)


def test_ci_runs_the_readme_test_command():
    """CI must run exactly what the README tells a developer to run."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(
        line.strip() for line in readme.splitlines() if line.strip().startswith(".venv/bin/pytest")
    )
    assert command in ci
