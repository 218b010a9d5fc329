"""A safety run: upgrade a scratch database to the start revision, seed it, trace the upgrade to the
target, and judge the trace (rules, suppressions). `upgrade()` is the untraced twin, for comparison."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.util.exc import CommandError

from infra.errors import HarnessError
from infra.findings import Finding
from infra.masking import mask_sql_secrets
from infra.migrations.tree import AlembicTree, run
from infra.migrations.volume import SeedResult, seed
from infra.safety import rules, suppress
from infra.safety.contention import Contention, contend
from infra.safety.trace import Trace, Tracer


@dataclass
class SafetyRun:
    start: str
    target: str
    seeded: SeedResult
    trace: Trace
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[Finding, suppress.Suppression]] = field(default_factory=list)
    upgrade_s: float = 0.0


def upgrade(tree: AlembicTree, engine: sa.Engine, target: str) -> float:
    """`alembic upgrade target` as the CLI runs it (infra.migrations.tree.run: on a connection not in a
    transaction, so the env decides the transactions and `autocommit_block` works; verified to have
    landed on `engine`'s database). Returns seconds."""
    return run(tree, engine, "upgrade", target)


def traced_upgrade(
    tree: AlembicTree, engine: sa.Engine, target: str, start: str | None = None
) -> tuple[Trace, float]:
    """The upgrade to `target`, traced statement by statement; a failure is recorded, not raised."""
    started = time.perf_counter()
    tracers: list[Tracer] = []

    def observe(conn: sa.Connection) -> AbstractContextManager[object]:
        tracers.append(Tracer(conn))
        return tracers[-1].attached()

    failed = None
    try:
        run(tree, engine, "upgrade", target, observe)
    except (sa.exc.SQLAlchemyError, CommandError) as exc:
        reason = getattr(exc, "orig", None) or exc
        failed = f"{type(reason).__name__}: {mask_sql_secrets(' '.join(str(reason).split()))[:300]}"
    trace = tracers[-1].trace if tracers else Trace()
    trace.start_version = start if start and start != "base" else None
    trace.failed = failed
    _attribute_failed(tree, trace)
    return trace, time.perf_counter() - started


def _attribute_failed(tree: AlembicTree, trace: Trace) -> None:
    """Statements of the revision that failed carry no version stamp: name the revision after the last
    one stamped (or the first one applied)."""
    if not any(s.revision is None for s in trace.statements):
        return
    try:
        line = [r.id for r in tree.linear_history()]
    except HarnessError:
        return
    stamped = [s.revision for s in trace.statements if s.revision]
    version = trace.start_version
    after = stamped[-1] if stamped else version
    following = line[line.index(after) + 1] if after in line and line.index(after) + 1 < len(line) else None
    if after is None and line:
        following = line[0]
    for st in trace.statements:
        if st.revision is None:
            st.revision = following


def revision_paths(tree: AlembicTree, revisions: list[str]) -> dict[str, Path]:
    script = tree.script()
    found = {}
    for rev in revisions:
        obj = script.get_revision(rev)
        if obj is not None and obj.path:
            found[rev] = Path(obj.path)
    return found


def safety_run(
    tree: AlembicTree, engine: sa.Engine, start: str | None, target: str = "head", rows: int = 1000
) -> SafetyRun:
    """On the empty database behind `engine`: upgrade to `start` (None: stay empty), insert `rows` rows per
    table, then trace the upgrade to `target` and judge it."""
    if start and start != "base":
        upgrade(tree, engine, start)
    with engine.begin() as conn:
        seeded = seed(conn, rows)
    trace, seconds = traced_upgrade(tree, engine, target, start)
    kept, excused = judge(tree, trace)
    return SafetyRun(start or "base", target, seeded, trace, kept, excused, seconds)


def judge(
    tree: AlembicTree, trace: Trace
) -> tuple[list[Finding], list[tuple[Finding, suppress.Suppression]]]:
    """The rules over a trace, minus what the traced revisions' files excuse with a reason.

    For the walk or the pre-merge round trip: `trace, _ = traced_upgrade(tree, engine, "head", base_head)`
    on their (seeded) database, then `judge(tree, trace)`.
    """
    found = rules.evaluate(trace)
    suppressions = [
        s for rev, path in revision_paths(tree, trace.revisions()).items() for s in suppress.read(rev, path)
    ]
    return suppress.apply(found, suppressions)


def contention_run(  # noqa: PLR0917 - the scenario's parameters, each needed
    tree: AlembicTree,
    engine: sa.Engine,
    dsn: str,
    revision: str,
    down: str,
    table: str,
    rows: int,
    hold_s: float,
) -> Contention:
    """On the empty database behind `engine` (libpq `dsn`): upgrade to `down`, seed, then upgrade to
    `revision` while an application transaction writes to `table`."""
    if down != "base":
        upgrade(tree, engine, down)
    with engine.begin() as conn:
        seed(conn, rows)
    pid: list[int] = []

    def backend(conn: sa.Connection) -> AbstractContextManager[object]:
        pid.append(conn.connection.driver_connection.info.backend_pid)  # type: ignore[union-attr]
        return nullcontext()

    def migrate() -> None:
        run(tree, engine, "upgrade", revision, backend)

    return contend(dsn, table, revision, migrate, lambda: pid[0] if pid else None, hold_s=hold_s)
