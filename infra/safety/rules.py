"""Findings from an observed trace: each rule a plain function whose docstring gives its title, why it
exists and how to fix a violation (parsed once, as the convention audit's rules are).

Every rule judges what the server did (locks granted, relfilenodes changed, rows scanned, constraints
and NOT NULL flags added) on relations that existed before the trace began, i.e. tables that hold rows
and serve clients. Relations created by the traced revisions themselves are nobody's yet.
"""

from __future__ import annotations

from collections.abc import Iterator

from infra.findings import Check, Finding, Rule, rule
from infra.safety import locks
from infra.safety.observe import no_timeout
from infra.safety.trace import Statement, Trace, held_blocking_locks

SafetyRule = Rule[Trace]


def where(st: Statement) -> str:
    return f"revision {st.revision or '?'}, statement {st.index}: {st.short(70)}"


def _finding(check: Check, st: Statement, expected: str, found: str) -> Finding:
    return check.finding(where(st), expected, found, check.fix)


def _work(trace: Trace) -> Iterator[Statement]:
    yield from (s for s in trace.statements if not s.bookkeeping and s.error is None)


@rule("safety.lock-timeout")
def lock_timeout(check: Check, trace: Trace) -> Iterator[Finding]:
    """A lock that blocks reads or writes is taken only while a lock_timeout is set.

    Why: a DDL statement queued behind one long transaction waits with no limit, and every query of
    the application that arrives after it queues behind it: the table is down until that transaction
    ends. A lock already held (as strong) since an earlier statement of the transaction cannot queue:
    it is reported once, on the statement that took it.
    Fix: `SET LOCAL lock_timeout = '2s'` (or the env's `-x lock_timeout`) before the statement and
    retry the deploy when it times out.
    """
    held = held_blocking_locks(trace.statements)
    for st in _work(trace):
        already = held.get(st.index, [])
        taken = [
            lk
            for lk in st.locks
            if lk.existing
            and lk.blocking
            and not any(h.relation == lk.relation and locks.covers(h.mode, lk.mode) for h in already)
        ]
        if taken and no_timeout(st.lock_timeout):
            names = ", ".join(f"{lk.mode} on {lk.relation} ({locks.label(lk.mode)})" for lk in taken)
            yield _finding(check, st, "lock_timeout set", f"lock_timeout=0 while taking {names}")


@rule("safety.rewrite-under-lock")
def rewrite_under_lock(check: Check, trace: Trace) -> Iterator[Finding]:
    """No table or index is rewritten while a lock that blocks reads or writes is held on it.

    Why: a rewrite copies every row (and rebuilds every index) while the table is locked: minutes of
    downtime on a large table, observed here as a new relfilenode.
    Fix: avoid the rewrite (a type change that is binary compatible, e.g. varchar(n) to a larger n or to
    text; a constant default), or add a new column, backfill in batches and swap.
    """
    for st in _work(trace):
        if not st.rewrites or not st.in_transaction:
            continue
        held = {lk.table for lk in st.locks if lk.blocking} | {
            lk.table for lk in held_blocking_locks(trace.statements).get(st.index, [])
        }
        rewritten = [
            r for r in st.rewrites if r in held or any(lk.relation == r and lk.blocking for lk in st.locks)
        ]
        if rewritten:
            rows = sum(st.scanned.values())
            yield _finding(
                check,
                st,
                "no rewrite under a blocking lock",
                f"rewrote {', '.join(rewritten)} ({rows} row(s) read) under a lock that blocks "
                "reads or writes",
            )


@rule("safety.lock-held-across-statements")
def lock_held(check: Check, trace: Trace) -> Iterator[Finding]:
    """A lock that blocks writes is released when its statement's transaction could end: no later
    statement of the same transaction (or of a later revision run in it) runs while it is held.

    Why: the lock lasts until COMMIT, so every later statement (a backfill, an index build, the next
    revision) runs with the table blocked, however quick the statement that took it was.
    Fix: one blocking statement per transaction: split the revision, or let each revision run in its
    own transaction (`transaction_per_migration=True`), and do backfills in a revision of their own.
    """
    held = held_blocking_locks(trace.statements)
    reported: set[tuple[int, str]] = set()
    for st in _work(trace):
        for lk in held.get(st.index, []):
            key = (st.transaction, lk.relation)
            if key in reported:
                continue
            reported.add(key)
            taker = next(s for s in trace.statements if s.transaction == st.transaction and lk in s.locks)
            later = [s for s in _work(trace) if s.transaction == st.transaction and s.index > taker.index]
            revs = sorted({s.revision or "?" for s in later} - {taker.revision or "?"})
            across = f"; across revision(s) {', '.join(revs)}" if revs else ""
            yield _finding(
                check,
                taker,
                "no statement runs after it in its transaction",
                f"{lk.mode} on {lk.relation} ({locks.label(lk.mode)}) held while {len(later)} later "
                f"statement(s) ran for {sum(s.duration_s for s in later) * 1000:.0f} ms{across}",
            )


@rule("safety.index-concurrently")
def index_concurrently(check: Check, trace: Trace) -> Iterator[Finding]:
    """An index on an existing table is built with CONCURRENTLY.

    Why: a plain CREATE INDEX holds a SHARE lock on the table for the whole build: every INSERT,
    UPDATE and DELETE waits until the index is complete.
    Fix: `op.create_index(..., postgresql_concurrently=True)` inside
    `with op.get_context().autocommit_block():` (and drop with CONCURRENTLY too).
    """
    for st in _work(trace):
        for index, table in st.new_indexes:
            blocking = [
                lk for lk in st.locks if lk.relation == table and lk.existing and locks.blocks_writes(lk.mode)
            ]
            if blocking:
                rows = st.scanned.get(table, 0)
                yield _finding(
                    check,
                    st,
                    f"index {index} built concurrently",
                    f"built under {blocking[0].mode} on {table} (blocks writes), {rows} row(s) read",
                )


@rule("safety.constraint-not-valid")
def constraint_not_valid(check: Check, trace: Trace) -> Iterator[Finding]:
    """A CHECK or FOREIGN KEY constraint on an existing table is added NOT VALID, then validated apart.

    Why: adding it valid scans the whole table while holding a lock that blocks writes (ACCESS
    EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key).
    Fix: `ADD CONSTRAINT ... NOT VALID` (`postgresql_not_valid=True`), then in a later transaction
    `ALTER TABLE ... VALIDATE CONSTRAINT ...`, which takes only SHARE UPDATE EXCLUSIVE.
    """
    existing = set(trace.existing.values())
    for st in _work(trace):
        for name, kind, table, valid in st.new_constraints:
            if kind in ("c", "f") and valid and table in existing:
                rows = st.scanned.get(table, 0)
                yield _finding(
                    check,
                    st,
                    f"constraint {name} added NOT VALID",
                    f"added valid on {table}: validated by a scan ({rows} row(s) read) under "
                    f"{', '.join(sorted({lk.mode for lk in st.locks if lk.blocking})) or 'a blocking lock'}",
                )


@rule("safety.not-null-by-scan")
def not_null_by_scan(check: Check, trace: Trace) -> Iterator[Finding]:
    """SET NOT NULL on an existing column is proven by a validated CHECK (col IS NOT NULL), not by a scan.

    Why: SET NOT NULL holds ACCESS EXCLUSIVE (no reads, no writes) while it scans every row, unless a
    valid CHECK constraint already proves the column has no nulls (PostgreSQL 12+).
    Fix: add `CHECK (col IS NOT NULL) NOT VALID`, VALIDATE it in a later transaction, then SET NOT NULL
    (no scan) and drop the check.
    """
    for st in _work(trace):
        for column in st.set_not_null:
            table = column.rsplit(".", 1)[0]
            if table in st.scanned:
                yield _finding(
                    check,
                    st,
                    f"{column} SET NOT NULL without a scan",
                    f"scanned {table} ({st.scanned[table]} row(s) read) under ACCESS EXCLUSIVE",
                )


@rule("safety.index-valid")
def index_valid(check: Check, trace: Trace) -> Iterator[Finding]:
    """Every index is valid when the upgrade ends (`pg_index.indisvalid`).

    Why: a failed CREATE INDEX CONCURRENTLY leaves an invalid index behind: writes still maintain it,
    queries never use it, and `IF NOT EXISTS` on the next attempt silently keeps it.
    Fix: drop it (`DROP INDEX CONCURRENTLY`) and build it again after fixing the cause (duplicates
    for a unique index).
    """
    if trace.end is None:
        return
    for rel in trace.end.relations.values():
        if rel.relkind in ("i", "I") and not rel.valid:
            st = next(
                (
                    s
                    for s in trace.statements
                    if any(i == rel.name for i, _ in s.new_indexes) or rel.name.split(".")[-1] in s.sql
                ),
                None,
            )
            yield check.finding(
                where(st) if st else f"index {rel.name}",
                f"index {rel.name} valid",
                "invalid (indisvalid = false)",
                check.fix,
            )


@rule("safety.fk-indexed")
def fk_indexed(check: Check, trace: Trace) -> Iterator[Finding]:
    """A new foreign key has an index whose leading columns are its referencing columns.

    Why: every DELETE or key UPDATE on the referenced table scans the referencing table for rows to
    check or cascade, under a lock, and joins along the key get no index.
    Fix: `op.create_index(...)` on the referencing column(s), CONCURRENTLY if the table exists.
    """
    if trace.end is None:
        return
    for st in _work(trace):
        for name, kind, table, _ in st.new_constraints:
            if kind == "f" and not trace.end_fk_indexed.get(name, True):
                yield _finding(
                    check,
                    st,
                    f"an index leading with the columns of {name}",
                    f"no such index on {table}",
                )


@rule("safety.upgrade-on-data")
def upgrade_on_data(check: Check, trace: Trace) -> Iterator[Finding]:
    """The upgrade succeeds on tables that hold rows.

    Why: a unique index over duplicates, NOT NULL over nulls, a CHECK the rows break: each passes on
    an empty CI database and fails in production, mid-deploy.
    Fix: clean or backfill the data first (in an earlier revision), then add the constraint.
    """
    if trace.failed is None:
        return
    failed = next((s for s in reversed(trace.statements) if s.error), None)
    yield check.finding(
        where(failed) if failed else "upgrade",
        "the upgrade succeeds on seeded tables",
        trace.failed,
        check.fix,
    )


RULES: dict[str, SafetyRule] = {
    r.id: r
    for r in (
        lock_timeout,
        rewrite_under_lock,
        lock_held,
        index_concurrently,
        constraint_not_valid,
        not_null_by_scan,
        index_valid,
        fk_indexed,
        upgrade_on_data,
    )
}


def evaluate(trace: Trace) -> list[Finding]:
    """Every rule's findings over the trace, rule by rule."""
    return [f for r in RULES.values() for f in r(trace)]
