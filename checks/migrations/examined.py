"""A check reports what it examined; having examined nothing is a skip with the reason, never a pass."""

from __future__ import annotations

import pytest

from infra.migrations.roundtrip import Walk


def require_examined(walk: Walk, count: int, what: str) -> None:
    """Skip the calling check when `count` is zero, saying what was not examined and the walk's summary."""
    __tracebackhide__ = True
    print(walk.summary())
    if not count:
        pytest.skip(f"nothing examined: {what}; {walk.summary()}")
