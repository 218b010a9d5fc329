"""The stepwise round trip: for each revision, upgrade, downgrade, and require the catalog (and the
seeded rows) to be exactly what they were before the upgrade; then upgrade again and require the same
catalog as the first time.

pytest-alembic's round trip only checks that nothing raises, so a `downgrade()` that does `pass`
passes it. Comparing catalog snapshots catches that, and a forgotten index or constraint too.

The walk visits every revision: a failed or leaky downgrade is reported against its revision, the
database is rebuilt at that revision, and the walk goes on (one cause, one finding: the re-upgrade
check is skipped for a revision whose downgrade already failed). Revisions whose downgrade is declared
unsupported (policy, or a downgrade raising NotImplementedError) are reported as declared, not failed.
Only a failed upgrade ends the walk, since no later revision can be reached; the rest are listed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from infra.catalog import CatalogSnapshot, diff, snapshot
from infra.findings import Finding
from infra.migrations.data import Rows, capture_rows, data_findings
from infra.migrations.policy import Policy, Prepare, run_script
from infra.migrations.seed import SeedReport, seed_tables
from infra.migrations.tree import AlembicTree, Failed, Revision, attempt

HINT = "make downgrade() undo exactly what upgrade() did (names included), or declare it irreversible"
RESET_SQL = """
DO $$ DECLARE s text; BEGIN
  FOR s IN SELECT nspname FROM pg_namespace
           WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s);
  END LOOP;
  FOR s IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
    EXECUTE format('DROP EXTENSION %I CASCADE', s);
  END LOOP;
END $$;
CREATE SCHEMA public;
"""


@dataclass
class Step:
    revision: str
    status: str = "not reached"  # round-tripped | declared irreversible | upgrade failed | ...
    upgrade_s: float = 0.0
    downgrade_s: float = 0.0
    reupgrade_s: float = 0.0
    snapshot_s: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return self.upgrade_s + self.downgrade_s + self.reupgrade_s + self.snapshot_s


@dataclass
class Walk:
    """What the walk examined, step by step, and what it seeded."""

    steps: list[Step] = field(default_factory=list)
    seeded: SeedReport = field(default_factory=SeedReport)
    tables_compared: int = 0  # most tables holding rows at one comparison
    rebuilds: int = 0

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.steps for f in s.findings]

    def count(self, prefix: str) -> int:
        return sum(1 for s in self.steps if s.status.startswith(prefix))

    @property
    def upgraded(self) -> int:
        return sum(1 for s in self.steps if s.status not in ("not reached", "upgrade failed"))

    @property
    def downgraded(self) -> int:
        """Revisions whose downgrade ran (whatever it left behind)."""
        return self.upgraded - self.count("declared")

    def summary(self) -> str:
        declared = [s.revision for s in self.steps if s.status.startswith("declared")]
        text = (
            f"{len(self.steps)} revision(s): {self.upgraded} upgraded, {self.downgraded} downgraded and "
            f"compared, {len(declared)} declared irreversible, {self.count('not reached')} not reached; "
            f"{self.rebuilds} rebuild(s); {self.tables_compared} table(s) with rows compared"
        )
        return f"{text}; {self.seeded.summary()}" if self.seeded.inserted or self.seeded.unfillable else text


class _Walker:
    """The walk's state: the database's catalog and rows as they are now, and how to rebuild them."""

    def __init__(
        self,
        tree: AlembicTree,
        engine: sa.Engine,
        walk: Walk,
        seed: int | None,
        prepare: Prepare | None,
    ) -> None:
        self.tree, self.engine, self.walk, self.seed, self.prepare = tree, engine, walk, seed, prepare

    def observe(self, step: Step) -> tuple[CatalogSnapshot, Rows]:
        started = time.perf_counter()
        with self.engine.connect() as conn:
            snap, rows = snapshot(conn), capture_rows(conn)
        step.snapshot_s += time.perf_counter() - started
        self.walk.tables_compared = max(self.walk.tables_compared, sum(1 for r in rows.values() if r))
        return snap, rows

    def fill(self, only: set[str] | None, salt: int) -> None:
        if self.seed is None or (only is not None and not only):
            return
        with self.engine.begin() as conn:
            self.walk.seeded.merge(seed_tables(conn, only, seed=self.seed + salt * 1000))

    def start(self) -> None:
        if self.prepare is not None:
            with self.engine.begin() as conn:
                self.prepare(conn)
        self.fill(None, 0)

    def rebuild(self, rev: Revision, step: Step) -> tuple[CatalogSnapshot, Rows] | None:
        """An empty database, prepared, upgraded to `rev` and seeded: a known state to go on from."""
        self.walk.rebuilds += 1
        with self.engine.begin() as conn:
            run_script(conn, RESET_SQL)
        self.start()
        try:
            attempt(
                self.tree,
                self.engine,
                "upgrade",
                rev.id,
                "migrations.upgrade-from-empty",
                f"revision {rev.id}",
            )
        except Failed as failed:
            step.findings.append(failed.finding)
            return None
        self.fill(None, len(self.walk.steps))
        return self.observe(step)


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
) -> Walk:
    """Walk `revisions` (default: the whole line, from an empty database) on the database behind
    `engine`; with `revisions`, the database must already be at the first one's down revision.
    `seed`: fill every table with generated rows (reproducible for the number) and require them to
    survive each step. `prepare`: builds what the first revision expects on an empty database."""
    policy = policy or Policy()
    line = [r.id for r in tree.linear_history()]
    history = revisions if revisions is not None else [r for r in tree.linear_history()]
    walk = Walk([Step(r.id) for r in history])
    walker = _Walker(tree, engine, walk, seed, prepare)
    if revisions is None:
        walker.start()
    else:
        walker.fill(None, 0)
    before, rows_before = walker.observe(Step("start"))
    for rev, step in zip(history, walk.steps, strict=True):
        where = f"revision {rev.id}"
        try:
            step.upgrade_s = attempt(
                tree, engine, "upgrade", rev.id, "migrations.upgrade-from-empty", f"{where} (upgrade)"
            )
        except Failed as failed:
            step.status = "upgrade failed"
            step.findings.append(failed.finding)
            for later in walk.steps[walk.steps.index(step) + 1 :]:
                later.status = f"not reached: the upgrade of {rev.id} failed"
            break  # no later revision can be reached
        after, rows_after = walker.observe(step)
        step.findings += data_findings(rows_before, rows_after, f"{where} (upgrade)")
        declared = policy.declared(rev.id, line)
        if declared:
            step.status = f"declared irreversible: {declared}"
            current: tuple[CatalogSnapshot, Rows] | None = (after, rows_after)
        else:
            current = _round_trip(walker, rev, step, (before, rows_before), (after, rows_after))
        if current is None:  # the database is in an unknown state: rebuild it at this revision
            current = walker.rebuild(rev, step)
            if current is None:
                for later in walk.steps[walk.steps.index(step) + 1 :]:
                    later.status = f"not reached: rebuilding the database at {rev.id} failed"
                break
        elif walker.seed is not None:
            walker.fill(_changed_tables(before, current[0]), len(walk.steps) + walk.steps.index(step))
            current = (current[0], walker.observe(step)[1])
        before, rows_before = current
        if on_step is not None:
            on_step(step)
    return walk


State = tuple[CatalogSnapshot, Rows]


def _round_trip(walker: _Walker, rev: Revision, step: Step, start: State, upgraded: State) -> State | None:
    """Downgrade, compare with `start`; upgrade again, compare with `upgraded`. The state the database
    is in afterwards, or None when it must be rebuilt (each cause reported once, on this revision)."""
    tree, engine, where, down = walker.tree, walker.engine, f"revision {rev.id}", rev.down or "base"
    try:
        step.downgrade_s = attempt(
            tree, engine, "downgrade", down, "migrations.stepwise-roundtrip", f"{where} (downgrade to {down})"
        )
    except NotImplementedError:
        step.status = "declared irreversible: its downgrade raises NotImplementedError"
        now = walker.observe(step)
        leak = _catalog_finding(
            "migrations.stepwise-roundtrip",
            f"{where} (downgrade raised NotImplementedError)",
            "an irreversible downgrade leaves the catalog untouched",
            upgraded[0],
            now[0],
        )
        step.findings += leak
        return None if leak else now
    except Failed as failed:
        step.status = "downgrade failed"
        step.findings.append(failed.finding)
        return None
    back = walker.observe(step)
    leak = _catalog_finding(
        "migrations.stepwise-roundtrip",
        f"{where} (downgrade to {down})",
        "the catalog from before the upgrade",
        start[0],
        back[0],
    )
    step.findings += leak + data_findings(start[1], back[1], f"{where} (downgrade)")
    if leak:
        step.status = "downgrade leaves the catalog changed"
        return None
    step.status = "round-tripped"
    try:
        step.reupgrade_s = attempt(
            tree,
            engine,
            "upgrade",
            rev.id,
            "migrations.reupgrade-identical",
            f"{where} (upgrade after downgrade)",
        )
    except Failed as failed:
        step.status = "re-upgrade failed"
        step.findings.append(failed.finding)
        return None
    again = walker.observe(step)
    step.findings += _catalog_finding(
        "migrations.reupgrade-identical",
        f"{where} (upgrade after downgrade)",
        "the catalog of the first upgrade",
        upgraded[0],
        again[0],
    )
    return again
