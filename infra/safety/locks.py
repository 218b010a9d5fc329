"""PostgreSQL's table-level lock conflict matrix, judged against what an application does.

The application reads (SELECT: ACCESS SHARE), writes (INSERT/UPDATE/DELETE: ROW EXCLUSIVE) and locks
rows (SELECT FOR UPDATE: ROW SHARE). A lock a migration holds "blocks reads" when it conflicts with
ACCESS SHARE, "blocks writes" when it conflicts with ROW EXCLUSIVE. Source: the table "Conflicting
Lock Modes" in PostgreSQL's documentation (explicit-locking.html), the same since 8.x.
"""

from __future__ import annotations

MODES = (
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
)

_CONFLICTS: dict[str, frozenset[str]] = {
    "AccessShareLock": frozenset({"AccessExclusiveLock"}),
    "RowShareLock": frozenset({"ExclusiveLock", "AccessExclusiveLock"}),
    "RowExclusiveLock": frozenset(
        {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
    ),
    "ShareUpdateExclusiveLock": frozenset(MODES[3:]),
    "ShareLock": frozenset({"RowExclusiveLock", *MODES[3:4], *MODES[5:]}),
    "ShareRowExclusiveLock": frozenset({"RowExclusiveLock", *MODES[3:]}),
    "ExclusiveLock": frozenset(MODES[1:]),
    "AccessExclusiveLock": frozenset(MODES),
}

# What the application does, and the lock mode it takes for it.
APPLICATION = {
    "reads": "AccessShareLock",  # SELECT
    "writes": "RowExclusiveLock",  # INSERT / UPDATE / DELETE
    "select for update": "RowShareLock",  # SELECT ... FOR UPDATE / FOR SHARE
}


def conflicts(held: str, requested: str) -> bool:
    """Does a lock `held` in one transaction make a request for `requested` in another wait?"""
    if held not in _CONFLICTS or requested not in _CONFLICTS:
        raise ValueError(f"unknown lock mode {held if held not in _CONFLICTS else requested!r}")
    return requested in _CONFLICTS[held]


def covers(held: str, requested: str) -> bool:
    """Whether holding `held` already makes every lock `requested` would conflict with wait: taking
    `requested` on top of it (same transaction) cannot queue behind anyone new."""
    if held not in _CONFLICTS or requested not in _CONFLICTS:
        raise ValueError(f"unknown lock mode {held if held not in _CONFLICTS else requested!r}")
    return _CONFLICTS[requested] <= _CONFLICTS[held]


def blocks(mode: str) -> tuple[str, ...]:
    """The application operations a held lock of `mode` makes wait, e.g. ("writes", "select for update")."""
    return tuple(op for op, wanted in APPLICATION.items() if conflicts(mode, wanted))


def blocks_reads(mode: str) -> bool:
    return "reads" in blocks(mode)


def blocks_writes(mode: str) -> bool:
    return "writes" in blocks(mode)


def label(mode: str) -> str:
    """ "blocks reads", "blocks writes" or "blocks nothing the application does" for a report."""
    if blocks_reads(mode):
        return "blocks reads and writes"
    if blocks_writes(mode):
        return "blocks writes"
    return "blocks no reads or writes"
