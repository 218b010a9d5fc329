"""The sensitivity matrix: every check is asserted somewhere and has a negative case that makes it fail."""

from pathlib import Path

from infra.cli.checks import matrix, scan_coverage
from infra.registry import all_checks

ROOT = Path(__file__).resolve().parent.parent


def test_every_check_has_a_check_and_a_negative_case():
    rows = matrix()
    assert len(rows) == len(all_checks()) > 0
    no_check = [r.id for r in rows if not r.checked_by]
    no_negative = [r.id for r in rows if not r.negative_cases]
    assert not no_check, f"declared but never asserted in checks/: {no_check}"
    assert not no_negative, f"no negative case in tests/ proves these can fail: {no_negative}"


def test_every_marked_id_is_declared():
    coverage = scan_coverage()
    declared = set(all_checks())
    assert set(coverage.checks) <= declared, set(coverage.checks) - declared
    assert set(coverage.negatives) <= declared, set(coverage.negatives) - declared


def test_the_scanner_sees_a_missing_negative(tmp_path):
    """The self-test itself can fail: a check with no negative case is reported uncovered."""
    (tmp_path / "checks").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "checks" / "test_x.py").write_text(
        'import pytest\n@pytest.mark.check("live.service-healthy")\ndef test_a(): pass\n'
    )
    coverage = scan_coverage(tmp_path)
    assert coverage.checks["live.service-healthy"] == ["checks/test_x.py::test_a"]
    assert "live.service-healthy" not in coverage.negatives


def test_ci_runs_the_readme_test_command():
    """CI must run exactly what the README tells a developer to run."""
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = next(
        line.strip() for line in readme.splitlines() if line.strip().startswith(".venv/bin/pytest")
    )
    assert command in ci
