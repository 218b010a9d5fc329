"""Contention, for real: while an application transaction holds a write open on a table, upgrade a
revision that touches it, and watch what the application's next queries go through.

Three connections: the application's open transaction (it has written to the table, so it holds ROW
EXCLUSIVE, as any request in flight does), the migration (in a thread), and two probes arriving after
the migration queued (a read and a write, each timed). The application's transaction is released as
soon as the outcome is known (the migration finished or timed out, or it is queued and both probes
are either done or queued behind it), never after a fixed sleep. Outcomes:

- "no wait": the migration never waited for the application;
- "timed out": it gave up on lock_timeout, cleanly (the probes waited at most that long);
- "blocked": it queued with no limit and the probes queued behind it until the application ended.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
import sqlalchemy as sa

from infra.findings import Finding, declare

CONTENTION = declare(
    "safety.contention-bounded",
    """With an application transaction open on the table, the upgrade times out instead of queuing.

    Why: a lock request queued with no limit behind one long transaction makes every later query of
    the application queue behind it: an outage caused by a one-millisecond ALTER.
    Fix: set lock_timeout before the statement (`SET LOCAL lock_timeout = '2s'`) and retry the deploy.
    """,
    required=("Why", "Fix"),
)

_LOCK_NOT_AVAILABLE = "55P03"


@dataclass
class Probe:
    kind: str  # read or write
    sql: str
    waited_s: float | None = None
    queued: bool = False  # seen waiting on a lock
    error: str | None = None


@dataclass
class Contention:
    table: str
    revision: str
    outcome: str = ""  # no wait, timed out, blocked
    migration_waited: bool = False
    migration_error: str | None = None
    probes: list[Probe] = field(default_factory=list)

    def findings(self) -> list[Finding]:
        if self.outcome != "blocked":
            return []
        waits = ", ".join(f"{p.kind} probe {p.waited_s or 0:.2f}s" for p in self.probes if p.queued)
        return [
            CONTENTION.finding(
                f"revision {self.revision}, table {self.table}",
                "the upgrade times out on lock_timeout when the application holds the table",
                f"it queued behind the application's transaction with no limit and blocked its next "
                f"queries ({waits or 'none queued'})",
                CONTENTION.fix,
            )
        ]


def _waiting_on_lock(admin: psycopg.Connection, pid: int) -> bool:
    row = admin.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return bool(row and row[0] == "Lock")


def _poll(condition: Callable[[], bool], deadline_s: float) -> bool:
    """Wait for `condition` (checked every 20 ms) until `deadline_s`; True when it held."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if condition():
            return True
        threading.Event().wait(0.02)
    return condition()


def contend(  # noqa: PLR0917 - the scenario's parameters, each needed
    dsn: str,
    table: str,
    revision: str,
    migrate: Callable[[], None],
    migration_pid: Callable[[], int | None],
    hold_s: float = 5.0,
    deadline_s: float = 30.0,
) -> Contention:
    """Hold a write on `table` open, run `migrate` (the upgrade to `revision`) in a thread, probe, release.

    `migration_pid` returns the migrating connection's backend pid once it is connected. The application
    holds its transaction `hold_s` at most (less when the migration gives up first).
    """
    result = Contention(table, revision)
    quoted = ".".join(f'"{part}"' for part in table.split("."))
    result.probes = [
        Probe("read", f"SELECT 1 FROM {quoted} LIMIT 1"),  # noqa: S608 - a catalog name, quoted
        Probe("write", f"DELETE FROM {quoted} WHERE false"),  # noqa: S608 - takes ROW EXCLUSIVE, changes nothing
    ]
    with psycopg.connect(dsn, autocommit=True) as admin, psycopg.connect(dsn) as app:
        app.execute(f"LOCK TABLE {quoted} IN ROW EXCLUSIVE MODE")  # a write in flight
        errors: list[BaseException] = []

        def run_migration() -> None:
            try:
                migrate()
            except (sa.exc.SQLAlchemyError, psycopg.Error) as exc:
                errors.append(exc)

        worker = threading.Thread(target=run_migration, daemon=True)
        worker.start()

        def migration_queued() -> bool:
            pid = migration_pid()
            return pid is not None and _waiting_on_lock(admin, pid)

        _poll(lambda: not worker.is_alive() or migration_queued(), deadline_s)
        pid = migration_pid()
        result.migration_waited = worker.is_alive() and pid is not None and _waiting_on_lock(admin, pid)
        probes = [_start_probe(dsn, p, deadline_s) for p in result.probes] if result.migration_waited else []

        def settled() -> bool:  # every probe done, or queued behind the migration
            return all(
                not t.is_alive() or (t.pid is not None and _waiting_on_lock(admin, t.pid)) for t in probes
            )

        _poll(lambda: not worker.is_alive() or settled(), deadline_s)
        for t in probes:
            t.probe.queued = t.is_alive()
        _poll(lambda: not worker.is_alive(), hold_s)  # the application's transaction lasts hold_s at most
        blocked = worker.is_alive()
        app.rollback()  # the application's transaction ends
        worker.join(deadline_s)
        for t in probes:
            t.join(deadline_s)
    if errors:
        exc = errors[0]
        orig = getattr(exc, "orig", exc)
        result.migration_error = f"{type(orig).__name__}: {' '.join(str(orig).split())[:200]}"
        timed_out = getattr(orig, "sqlstate", None) == _LOCK_NOT_AVAILABLE
    else:
        timed_out = False
    if not result.migration_waited:
        result.outcome = "no wait"
    elif timed_out and not blocked:
        result.outcome = "timed out"
    else:
        result.outcome = "blocked"
    return result


class _ProbeThread(threading.Thread):
    def __init__(self, dsn: str, probe: Probe, deadline_s: float) -> None:
        super().__init__(daemon=True)
        self.dsn, self.probe, self.deadline_s = dsn, probe, deadline_s
        self.pid: int | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                self.pid = conn.info.backend_pid
                conn.execute(f"SET statement_timeout = '{int(self.deadline_s * 1000)}ms'")
                started = time.perf_counter()
                try:
                    conn.execute(self.probe.sql)
                finally:
                    self.probe.waited_s = time.perf_counter() - started
        except psycopg.Error as exc:
            self.probe.error = " ".join(str(exc).split())[:200]


def _start_probe(dsn: str, probe: Probe, deadline_s: float) -> _ProbeThread:
    thread = _ProbeThread(dsn, probe, deadline_s)
    thread.start()
    _poll(lambda: thread.pid is not None or not thread.is_alive(), deadline_s)
    return thread
