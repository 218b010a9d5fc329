"""Helpers for the safety negative cases: example trees under tests/safety/examples/<case>/."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from infra.findings import Finding
from infra.migrations.tree import AlembicTree
from infra.safety.run import SafetyRun, safety_run

EXAMPLES = Path(__file__).parent / "examples"
ROWS = 200  # enough for every scan and data failure to show; small enough to stay fast


def tree(case: str) -> AlembicTree:
    return AlembicTree(EXAMPLES / case / "alembic.ini")


def run_case(case: str, engine: sa.Engine) -> SafetyRun:
    """Every case starts at a2 (org and item exist and hold ROWS rows each) and traces to its head."""
    return safety_run(tree(case), engine, "a2", rows=ROWS)


def ids(findings: list[Finding]) -> set[str]:
    return {f.check_id for f in findings}
