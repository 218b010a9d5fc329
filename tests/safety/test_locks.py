"""The conflict matrix behind "blocks reads" / "blocks writes" (pure: no database)."""

from __future__ import annotations

import pytest

from infra.safety import locks


def test_the_matrix_is_symmetric():
    for held in locks.MODES:
        for requested in locks.MODES:
            assert locks.conflicts(held, requested) == locks.conflicts(requested, held), (held, requested)


@pytest.mark.parametrize(
    ("mode", "blocked"),
    [
        ("AccessShareLock", ()),
        ("RowShareLock", ()),
        ("RowExclusiveLock", ()),
        ("ShareUpdateExclusiveLock", ()),  # VALIDATE CONSTRAINT, CREATE INDEX CONCURRENTLY
        ("ShareLock", ("writes",)),  # CREATE INDEX
        ("ShareRowExclusiveLock", ("writes",)),  # ADD FOREIGN KEY, CREATE TRIGGER
        ("ExclusiveLock", ("writes", "select for update")),  # REFRESH MATERIALIZED VIEW CONCURRENTLY
        ("AccessExclusiveLock", ("reads", "writes", "select for update")),  # most ALTER TABLE forms
    ],
)
def test_what_each_mode_blocks_for_the_application(mode, blocked):
    assert locks.blocks(mode) == blocked


def test_an_unknown_mode_is_named():
    with pytest.raises(ValueError, match="SIReadLock"):
        locks.blocks("SIReadLock")
