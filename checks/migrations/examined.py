"""A check reports what it examined; having examined nothing is a skip with the reason, never a pass,
and having examined fewer than all revisions is a skip (or the check's failures) saying so."""

from __future__ import annotations

import pytest

from infra.findings import Finding, render_all
from infra.migrations.coverage import Coverage
from infra.migrations.roundtrip import Walk


def require_examined(walk: Walk, count: int, what: str) -> None:
    """Skip the calling check when `count` is zero, saying what was not examined and the walk's summary."""
    __tracebackhide__ = True
    print(walk.summary())
    if not count:
        pytest.skip(f"nothing examined: {what}; {walk.summary()}")


def judge_walk(node: pytest.Item, walk: Walk, cov: Coverage, findings: list[Finding]) -> None:
    """Fail on `findings`; else skip when the check examined nothing or fewer than all revisions;
    else pass, the pass line saying how much was examined (a user property the plugin shows)."""
    __tracebackhide__ = True
    node.user_properties.append(("examined", cov.line()))
    print(f"{cov.check_id}: {cov.line()}\n{walk.summary()}")
    if not cov.examined:
        pytest.skip(f"nothing examined: {cov.line()}; {cov.why_not()}; {walk.summary()}")
    assert not findings, f"{cov.line()}; {walk.summary()}\n{render_all(findings)}"
    if not cov.complete:
        pytest.skip(f"examined fewer than all: {cov.line()}; {cov.why_not()}")
