"""The stepwise round trip: for each revision, upgrade, downgrade, and require the catalog (and the
seeded rows) to be exactly what they were before the upgrade; then upgrade again and require the same
catalog as the first time.

pytest-alembic's round trip only checks that nothing raises, so a `downgrade()` that does `pass`
passes it. Comparing catalog snapshots catches that, and a forgotten index or constraint too.

The walk visits every revision of the graph, parents first (merges, several bases and `depends_on`
included): each is upgraded from a state holding all its ancestors (and the revisions walked before
it on other branches) and downgraded alone, and that state must come back exactly. A failed or leaky
downgrade is reported against its revision, the database is brought back to a known state
(infra.migrations.walker), and the walk goes on (one cause, one finding: the re-upgrade check is
skipped for a revision whose downgrade already failed). A failed upgrade does not end the walk: the
next revision starts from its parents' state, upgraded from where the database is or, as a last
resort, rebuilt from empty in one command; a revision whose parents cannot be built is "not reached".
Revisions whose downgrade is declared unsupported (policy, or a downgrade raising
NotImplementedError) are reported as declared, not failed.

With a `trace` hook (infra.safety.walk.WalkTrace), each revision's first upgrade is traced statement
by statement on the seeded tables (`volume_rows` more per table make scans and rewrites cost) and the
safety findings join the step's findings, named by revision and statement.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from infra.catalog import CatalogSnapshot, diff
from infra.findings import Finding, declare
from infra.migrations.checks import upgrade_from_empty
from infra.migrations.dag import History
from infra.migrations.data import data_findings
from infra.migrations.policy import Policy, Prepare
from infra.migrations.tree import AlembicTree, Failed, Only, Revision, attempt, describe
from infra.migrations.walker import State, Step, TraceHook, Walk, Walker

Applied = tuple[State, frozenset[str]]  # a state and the revisions it holds

__all__ = ["REUPGRADE_IDENTICAL", "STEPWISE_ROUNDTRIP", "Step", "TraceHook", "Walk", "stepwise_roundtrip"]

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
HINT = "make downgrade() undo exactly what upgrade() did (names included), or declare it irreversible"


def _changed_tables(before: CatalogSnapshot, after: CatalogSnapshot) -> set[str]:
    """Tables of the public schema that are new or whose columns changed: they need fresh rows."""

    def shape(snap: CatalogSnapshot) -> dict[str, set[str]]:
        tables: dict[str, set[str]] = {t.name: set() for t in snap.tables if t.schema == "public"}
        for column in snap.columns:
            tables.setdefault(column.table, set()).add(f"{column.name} {column.type} {column.not_null}")
        return tables

    old, new = shape(before), shape(after)
    return {t for t, cols in new.items() if old.get(t) != cols}


def _catalog_finding(
    check_id: str, where: str, expected: str, before: CatalogSnapshot, after: CatalogSnapshot
) -> list[Finding]:
    changes = diff(before, after)
    if not changes:
        return []
    return [Finding(check_id, where, expected, f"the catalog differs:\n{changes.render()}", HINT)]


def stepwise_roundtrip(
    tree: AlembicTree,
    engine: sa.Engine,
    *,
    seed: int | None = None,
    revisions: list[Revision] | None = None,
    policy: Policy | None = None,
    prepare: Prepare | None = None,
    on_step: Callable[[Step], None] | None = None,
    trace: TraceHook | None = None,
    volume_rows: int = 0,
) -> Walk:
    """Walk `revisions` (default: every revision of the history, parents first, from an empty
    database); with `revisions`, the database must already hold the ones below them.
    `seed`: fill every table with generated rows (reproducible for the number) and require them to
    survive each step. `prepare`: builds what the first revision expects on an empty database.
    `trace`: record and judge each first upgrade; `volume_rows`: rows per table added beside the
    seeded ones (with `seed`), so the trace sees scans and rewrites cost."""
    policy = policy or Policy()
    history = History(tree.revisions())
    line = history.floor_order(policy.downgrade_floor)
    walked = revisions if revisions is not None else history.revisions
    walk = Walk([Step(r.id) for r in walked])
    walker = Walker(tree, engine, walk, seed, prepare, history=history, trace=trace, volume_rows=volume_rows)
    if revisions is None:
        walker.start()
    else:
        walker.fill(None, 0)
    applied = walker.applied()
    state = walker.observe(Step("start"))
    for rev, step in zip(walked, walk.steps, strict=True):
        if not history.ancestors(rev.id) <= applied:
            reached = _reach(walker, rev, step, state, applied)
            if reached is None:
                continue
            state, applied = reached
        state, applied = _walk_one(
            walker, rev, step, state, applied, policy.declared(rev.id, line), policy.declared_lossy(rev.id)
        )
        if on_step is not None:
            on_step(step)
    return walk


def _reach(
    walker: Walker, rev: Revision, step: Step, state: State, applied: frozenset[str]
) -> tuple[State, frozenset[str]] | None:
    """A state holding every ancestor of `rev` (one of them failed before): upgraded from where the
    database is, else rebuilt from empty in one command (last resort). None when neither works: the
    revision is not reached, its status says why."""
    target = walker.history.heads(walker.history.ancestors(rev.id))
    try:
        attempt(walker.tree, walker.engine, "upgrade", target, "reach", "reach")
    except (Failed, NotImplementedError):
        scratch = Step("rebuild")
        rebuilt = walker.rebuild(target, scratch)
        if rebuilt is None:
            why = scratch.findings[0].found if scratch.findings else "the rebuild failed"
            step.status = f"not reached: its parents {describe(target)} could not be built ({why})"
            walker.rebuild("base", scratch)
            return None
        return rebuilt, walker.applied()
    now = walker.observe(step)
    walker.fill(_changed_tables(state[0], now[0]), walker.salt(step))
    return (now[0], walker.rows(step)), walker.applied()


def _walk_one(  # noqa: PLR0917 - one revision's cycle and the state it leaves
    walker: Walker,
    rev: Revision,
    step: Step,
    before: State,
    applied: frozenset[str],
    declared: str | None,
    lossy: str | None = None,
) -> tuple[State, frozenset[str]]:
    """Upgrade `rev` from `before`, compare, round trip it unless declared; the state the walk goes on
    from and the revisions it holds."""
    where = f"revision {rev.id}"
    try:
        step.upgrade_s = _first_upgrade(walker, rev, step, walker.trace)
    except Failed as failed:
        intact = walker.intact(applied, before, step)
        if intact is None or not walker.retry_without_rows(rev, step, "upgrade", failed, intact):
            step.status = "upgrade failed"
            step.findings.append(failed.finding)
            if intact is not None:
                return walker.observe(step), applied  # rolled back: go on from here
            return _recover(walker, applied, step)
        before = (before[0], walker.rows(step))
    with_rev = applied | {rev.id}
    after = walker.observe(step)
    step.findings += data_findings(before[1], after[1], f"{where} (upgrade)")
    if declared:
        step.status = f"declared irreversible: {declared}"
        current: State | None = after
    else:
        current = _round_trip(walker, rev, step, (before, applied), (after, with_rev), lossy=lossy)
    if current is None:  # the database is in an unknown state: rebuild it at this revision
        return _recover(walker, with_rev, step)
    if walker.seed is not None:
        walker.fill(
            _changed_tables(before[0], current[0]), len(walker.walk.steps) + walker.walk.steps.index(step)
        )
        current = (current[0], walker.rows(step))
    return current, with_rev


def _recover(walker: Walker, applied: frozenset[str], step: Step) -> tuple[State, frozenset[str]]:
    """Rebuild the database holding `applied`; when even that fails, an empty one (the revisions above
    are then reached from there, see _reach)."""
    rebuilt = walker.rebuild(walker.history.heads(applied), step)
    if rebuilt is not None:
        return rebuilt, applied
    empty = walker.rebuild("base", Step("rebuild"))
    assert empty is not None
    return empty, frozenset()


def _first_upgrade(walker: Walker, rev: Revision, step: Step, trace: TraceHook | None) -> float:
    """The revision's upgrade, traced when a hook is given (judged whether it succeeded or not)."""
    where = f"revision {rev.id} (upgrade)"
    observe = trace.attach(rev.id, rev.down) if trace is not None else None
    try:
        return attempt(
            walker.tree, walker.engine, "upgrade", rev.id, upgrade_from_empty.check.id, where, observe
        )
    finally:
        if trace is not None:
            step.traced = trace.judge(rev.id)
            step.findings += step.traced.findings


def _round_trip(  # noqa: PLR0911 - one exit per outcome of the cycle
    walker: Walker,
    rev: Revision,
    step: Step,
    start_at: Applied,
    upgraded_at: Applied,
    *,
    lossy: str | None = None,
) -> State | None:
    """Downgrade `rev` alone, compare with `start`; upgrade again, compare with `upgraded`. The state
    the database is in afterwards, or None when it must be rebuilt (each cause once, on this revision)."""
    (start, _), (upgraded, with_rev) = start_at, upgraded_at
    tree, engine, where = walker.tree, walker.engine, f"revision {rev.id}"
    down = "+".join(rev.parents) or "base"
    try:
        step.downgrade_s = attempt(
            tree, engine, "downgrade", Only(rev.id), STEPWISE_ROUNDTRIP.id, f"{where} (downgrade to {down})"
        )
    except NotImplementedError:
        step.status = "declared irreversible: its downgrade raises NotImplementedError"
        now = walker.observe(step)
        leak = _catalog_finding(
            STEPWISE_ROUNDTRIP.id,
            f"{where} (downgrade raised NotImplementedError)",
            "an irreversible downgrade leaves the catalog untouched",
            upgraded[0],
            now[0],
        )
        step.findings += leak
        return None if leak else now
    except Failed as failed:
        intact = walker.intact(with_rev, upgraded, step)
        if intact is None:
            step.status = "downgrade failed"
            step.findings.append(failed.finding)
            return None
        if not walker.retry_without_rows(rev, step, "downgrade", failed, intact):
            step.status = "downgrade failed"
            step.findings.append(failed.finding)
            return intact if walker.seed is None else walker.observe(step)  # go on from here
        leak = _catalog_finding(
            STEPWISE_ROUNDTRIP.id,
            f"{where} (downgrade to {down}, without the generated rows)",
            "the catalog from before the upgrade",
            start[0],
            walker.observe(step)[0],
        )
        step.findings += leak
        step.status = "downgrade leaves the catalog changed" if leak else step.status
        return walker.forward(rev, step)
    back = walker.observe(step)
    leak = _catalog_finding(
        STEPWISE_ROUNDTRIP.id,
        f"{where} (downgrade to {down})",
        "the catalog from before the upgrade",
        start[0],
        back[0],
    )
    step.findings += leak + data_findings(
        start[1], back[1], f"{where} (downgrade)", upgraded=upgraded[1], lossy=lossy
    )
    if leak:
        step.status = "downgrade leaves the catalog changed"
        return walker.forward(rev, step)
    step.status = "round-tripped"
    try:
        step.reupgrade_s = attempt(
            tree,
            engine,
            "upgrade",
            rev.id,
            REUPGRADE_IDENTICAL.id,
            f"{where} (upgrade after downgrade)",
        )
    except Failed as failed:
        step.status = "re-upgrade failed"
        step.findings.append(failed.finding)
        return None
    again = walker.observe(step)
    step.findings += _catalog_finding(
        REUPGRADE_IDENTICAL.id,
        f"{where} (upgrade after downgrade)",
        "the catalog of the first upgrade",
        upgraded[0],
        again[0],
    )
    return again
