"""The stepwise round trip: for each revision, upgrade, downgrade, and require the catalog to be exactly
what it was before the upgrade; then upgrade again and require the same catalog as the first time.

pytest-alembic's round trip only checks that nothing raises, so a `downgrade()` that does `pass`
passes it. Comparing catalog snapshots catches that, and a forgotten index or constraint too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from alembic.util.exc import CommandError

from infra.findings import Finding, declare
from infra.migrations.checks import upgrade_from_empty
from infra.migrations.data import Rows, capture_rows, data_findings
from infra.migrations.tree import AlembicTree, Revision, run

STEPWISE_ROUNDTRIP = declare(
    "migrations.stepwise-roundtrip",
    """Each revision's downgrade restores the catalog exactly as it was before its upgrade.

    Why: A downgrade that does `pass`, or forgets an index or a constraint, raises nothing: only a
    catalog comparison sees it, and the next deploy trips over the leftovers.
    """,
)
REUPGRADE_IDENTICAL = declare(
    "migrations.reupgrade-identical",
    """Upgrading again after a downgrade builds the same catalog as the first upgrade.

    Why: Rollback then roll forward is the normal incident path; it must land on the same schema.
    """,
)
Seeder = Callable[[sa.Connection, str], None]  # inserts test data after a revision is applied


class Catalog(Protocol):
    def snapshot(self, conn: sa.Connection) -> Any: ...
    def diff(self, before: Any, after: Any) -> str: ...  # "" when identical


@dataclass
class Step:
    revision: str
    upgrade_s: float = 0.0
    downgrade_s: float = 0.0
    reupgrade_s: float = 0.0
    snapshot_s: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return self.upgrade_s + self.downgrade_s + self.reupgrade_s + self.snapshot_s


def _timed_snapshot(engine: sa.Engine, catalog: Catalog, step: Step) -> tuple[Any, Rows]:
    started = time.perf_counter()
    with engine.connect() as conn:
        snap, rows = catalog.snapshot(conn), capture_rows(conn)
    step.snapshot_s += time.perf_counter() - started
    return snap, rows


def _diff_finding(check_id: str, where: str, expected: str, diff: str) -> list[Finding]:
    if not diff:
        return []
    return [
        Finding(
            check_id,
            where,
            expected,
            f"the catalog differs:\n{diff}",
            "make downgrade() undo exactly what upgrade() did (names included)",
        )
    ]


def stepwise_roundtrip(
    tree: AlembicTree,
    engine: sa.Engine,
    catalog: Catalog,
    seed: Seeder | None = None,
    revisions: list[Revision] | None = None,
) -> list[Step]:
    """Walk `revisions` (default: the whole line, from an empty database) on the database behind `engine`.

    With `revisions`, the database must already be at the first one's down revision.
    """
    steps: list[Step] = []
    history = revisions if revisions is not None else tree.linear_history()
    before, rows_before = _timed_snapshot(engine, catalog, Step("start"))
    for rev in history:
        step = Step(rev.id)
        steps.append(step)
        try:
            before, rows_before = _one_step(tree, engine, catalog, rev, step, before, rows_before, seed)
        except _Stop:
            break  # the database is no longer in a known state: later steps would only echo this one
    return steps


class _Stop(Exception):
    pass


def _attempt(step: Step, check_id: str, where: str, action: Callable[[], float]) -> float:
    """Run one Alembic command; an exception becomes a finding and stops the walk."""
    try:
        return action()
    except (sa.exc.SQLAlchemyError, CommandError) as exc:
        first = str(exc).strip().splitlines()[0]
        step.findings.append(
            Finding(check_id, where, "the command succeeds", f"{type(exc).__name__}: {first}")
        )
        raise _Stop from exc


def _one_step(  # noqa: PLR0917 - the walk's state, passed explicitly rather than kept in an object
    tree: AlembicTree,
    engine: sa.Engine,
    catalog: Catalog,
    rev: Revision,
    step: Step,
    before: Any,
    rows_before: Rows,
    seed: Seeder | None,
) -> tuple[Any, Rows]:
    where, down = f"revision {rev.id}", rev.down or "base"
    step.upgrade_s = _attempt(
        step,
        upgrade_from_empty.id,
        f"{where} (upgrade)",
        lambda: run(tree, engine, "upgrade", rev.id),
    )
    after, rows_after = _timed_snapshot(engine, catalog, step)
    step.findings += data_findings(rows_before, rows_after, f"{where} (upgrade)")
    step.downgrade_s = _attempt(
        step,
        STEPWISE_ROUNDTRIP.id,
        f"{where} (downgrade to {down})",
        lambda: run(tree, engine, "downgrade", down),
    )
    back, rows_back = _timed_snapshot(engine, catalog, step)
    step.findings += _diff_finding(
        STEPWISE_ROUNDTRIP.id,
        f"{where} (downgrade to {down})",
        "the catalog from before the upgrade",
        catalog.diff(before, back),
    )
    step.findings += data_findings(rows_before, rows_back, f"{where} (downgrade)")
    step.reupgrade_s = _attempt(
        step,
        REUPGRADE_IDENTICAL.id,
        f"{where} (upgrade after downgrade)",
        lambda: run(tree, engine, "upgrade", rev.id),
    )
    again, rows_again = _timed_snapshot(engine, catalog, step)
    step.findings += _diff_finding(
        REUPGRADE_IDENTICAL.id,
        f"{where} (upgrade after downgrade)",
        "the catalog of the first upgrade",
        catalog.diff(after, again),
    )
    if seed is None:
        return again, rows_again  # nothing changed since: the next step starts from here
    with engine.begin() as conn:
        seed(conn, rev.id)
    return _timed_snapshot(engine, catalog, step)
