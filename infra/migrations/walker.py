"""The stepwise walk's bookkeeping: what each step did (Step, Walk), and the walker that observes the
database, seeds it, and recovers a known state after a failure (a retry without rows, an upgrade from
where a downgrade left things, or a rebuild from empty) so the walk can go on.

The walk knows nothing of migration safety: a TraceHook (infra.safety.walk) is handed each first
upgrade's connection, records every statement, and returns what it judged (Traced) for the step."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from infra.catalog import CatalogSnapshot, diff, snapshot
from infra.findings import Finding
from infra.migrations import volume
from infra.migrations.checks import upgrade_from_empty
from infra.migrations.dag import History
from infra.migrations.data import DataFinding, Rows, capture_rows, data_findings
from infra.migrations.policy import Prepare, run_script
from infra.migrations.seed import SeedReport, seed_tables
from infra.migrations.tree import AlembicTree, Failed, Observe, Only, Revision, Target, attempt, describe

State = tuple[CatalogSnapshot, Rows]

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
class Traced:
    """What the safety trace observed and judged of one revision's first upgrade."""

    statements: int  # traced, Alembic's bookkeeping excluded
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)  # with the revision file's reason
    markdown: str = ""  # the per-statement table
    doc: dict[str, Any] = field(default_factory=dict)  # the full trace, for JSON


class TraceHook(Protocol):
    """Records a revision's upgrade statement by statement (`attach` wraps the command's connection)
    and judges it (`judge`, after the command returned or raised)."""

    check_ids: tuple[str, ...]

    def attach(self, revision: str, start: str | None) -> Observe: ...

    def judge(self, revision: str) -> Traced: ...


@dataclass
class Step:
    revision: str
    status: str = "not reached"  # round-tripped | declared irreversible | upgrade failed | ...
    upgrade_s: float = 0.0
    downgrade_s: float = 0.0
    reupgrade_s: float = 0.0
    snapshot_s: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    traced: Traced | None = None

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
    volume_rows: int = 0  # rows added for volume (infra.migrations.volume), beside the seeded ones

    @property
    def findings(self) -> list[Finding]:
        return [f for s in self.steps for f in s.findings]

    def count(self, prefix: str) -> int:
        return sum(1 for s in self.steps if s.status.startswith(prefix))

    @property
    def upgraded(self) -> int:
        return sum(1 for s in self.steps if not s.status.startswith(("not reached", "upgrade failed")))

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
        blocked = next((s.status for s in self.steps if s.status.startswith("not reached:")), "")
        text += f" ({blocked.removeprefix('not reached: ')})" if blocked else ""
        text = f"{text}; {self.seeded.summary()}" if self.seeded.inserted or self.seeded.unfillable else text
        text += f"; {self.volume_rows} row(s) added for volume" if self.volume_rows else ""
        return f"{text}; {self.trace_summary()}" if self.traced else text

    @property
    def traced(self) -> list[Traced]:
        return [s.traced for s in self.steps if s.traced is not None]

    def trace_summary(self) -> str:
        traced = self.traced
        statements = sum(t.statements for t in traced)
        found = sum(len(t.findings) for t in traced)
        excused = sum(len(t.suppressed) for t in traced)
        return (
            f"{statements} statement(s) traced in {len(traced)} upgrade(s), {found} safety finding(s), "
            f"{excused} suppressed"
        )


class Walker:
    """The walk's state: the database's catalog and rows as they are now, and how to rebuild them."""

    def __init__(
        self,
        tree: AlembicTree,
        engine: sa.Engine,
        walk: Walk,
        seed: int | None,
        prepare: Prepare | None,
        *,
        history: History,
        trace: TraceHook | None = None,
        volume_rows: int = 0,
    ) -> None:
        self.tree, self.engine, self.walk, self.seed, self.prepare = tree, engine, walk, seed, prepare
        self.history, self.trace, self.volume_rows = history, trace, volume_rows

    def observe(self, step: Step) -> tuple[CatalogSnapshot, Rows]:
        """The catalog and every row, on one pooled connection inside a read transaction (so the catalog
        statement is prepared once per connection: planning it costs more than running it)."""
        started = time.perf_counter()
        with self.engine.begin() as conn:
            snap, rows = snapshot(conn), capture_rows(conn)
        step.snapshot_s += time.perf_counter() - started
        self.walk.tables_compared = max(self.walk.tables_compared, sum(1 for r in rows.values() if r))
        return snap, rows

    def rows(self, step: Step) -> Rows:
        """Every row (after seeding: the catalog did not change)."""
        started = time.perf_counter()
        with self.engine.connect() as conn:
            rows = capture_rows(conn)
        step.snapshot_s += time.perf_counter() - started
        self.walk.tables_compared = max(self.walk.tables_compared, sum(1 for r in rows.values() if r))
        return rows

    def salt(self, step: Step) -> int:
        """A seed offset for rows generated after `step` (distinct per step, reproducible)."""
        return len(self.walk.steps) + self.walk.steps.index(step)

    def fill(self, only: set[str] | None, salt: int) -> None:
        if self.seed is None or (only is not None and not only):
            return
        with self.engine.begin() as conn:
            self.walk.seeded.merge(seed_tables(conn, only, seed=self.seed + salt * 1000))
            if self.volume_rows:
                added = volume.seed(conn, self.volume_rows, only=only)
                self.walk.volume_rows += sum(added.rows.values())

    def start(self) -> None:
        if self.prepare is not None:
            with self.engine.begin() as conn:
                self.prepare(conn)
        self.fill(None, 0)

    def rebuild(self, target: Target, step: Step, fill: bool = True) -> tuple[CatalogSnapshot, Rows] | None:
        """An empty database, prepared, upgraded to `target` (and seeded unless not `fill`): a known
        state to go on from. None when that upgrade fails (its finding is added to `step`)."""
        self.walk.rebuilds += 1
        with self.engine.begin() as conn:
            run_script(conn, RESET_SQL)
        if self.prepare is not None:
            with self.engine.begin() as conn:
                self.prepare(conn)
        if target not in ("base", ()):
            try:
                attempt(
                    self.tree,
                    self.engine,
                    "upgrade",
                    target,
                    upgrade_from_empty.check.id,
                    f"revision {describe(target)}",
                )
            except Failed as failed:
                step.findings.append(failed.finding)
                return None
        if fill:
            self.fill(None, len(self.walk.steps))
        return self.observe(step)

    def forward(self, rev: Revision, step: Step) -> State | None:
        """Upgrade again from whatever state a downgrade left (one cause, one finding: the re-upgrade
        is not judged), seed the tables anew; None when that fails and a rebuild is needed."""
        try:
            attempt(self.tree, self.engine, "upgrade", rev.id, "forward", "forward")
        except (Failed, NotImplementedError):
            return None
        self.fill(None, len(self.walk.steps) + 1)
        return self.observe(step)

    def versions(self) -> frozenset[str]:
        """The rows of alembic_version (the database's heads; empty at base)."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return frozenset()
            return frozenset(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())

    def applied(self) -> frozenset[str]:
        """Every revision the database has applied (its heads and their ancestors)."""
        return self.history.closure(self.versions())

    def intact(self, at: frozenset[str], expected: State, step: Step) -> State | None:
        """The state after a failed command, when it is still exactly `expected` with the revisions
        `at` applied (the command's transaction was rolled back): the walk can go on from it."""
        if self.applied() != at:
            return None
        now = self.observe(step)
        return None if diff(expected[0], now[0]) else now

    def empty_tables(self) -> None:
        """Every row out (a retry without the generated rows, cheaper than a rebuild)."""
        with self.engine.begin() as conn:
            names = [
                conn.dialect.identifier_preparer.quote(t)
                for t in conn.execute(
                    sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                ).scalars()
                if t != "alembic_version"
            ]
            if names:
                conn.exec_driver_sql(f"TRUNCATE {', '.join(names)} CASCADE")

    def retry_without_rows(
        self, rev: Revision, step: Step, action: str, failed: Failed, state: State
    ) -> bool:
        """`action` failed on a database holding generated rows, and left it intact at `state`: does
        it pass without the rows? Then a database error is a data finding (it cannot handle rows the
        schema allows); an exception of the revision's own is a deliberate guard, noted in the status."""
        if self.seed is None or not any(state[1].values()):
            return False
        target: Target = rev.id if action == "upgrade" else Only(rev.id)
        self.empty_tables()
        try:
            took = attempt(self.tree, self.engine, action, target, "retry", "retry")
        except (Failed, NotImplementedError):
            self.fill(None, len(self.walk.steps))
            return False
        if action == "upgrade":
            step.upgrade_s = took
        else:
            step.downgrade_s = took
        if isinstance(failed.cause, sa.exc.SQLAlchemyError):
            step.findings.append(
                DataFinding(
                    data_findings.check.id,
                    failed.finding.where,
                    f"the {action} succeeds on every row the schema allows",
                    f"it fails on generated rows ({failed.finding.found}); without them it succeeds",
                    f"handle every row the schema allows in {action}(), or refuse them with a clear error",
                    kind=f"{action}-fails-on-data",
                )
            )
        else:
            step.status = f"{action} refuses the generated rows by its own guard: {failed.finding.found}"
        return True
