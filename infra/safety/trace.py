"""A per-statement trace of an Alembic upgrade, observed on the server rather than guessed from SQL.

`Tracer` hooks SQLAlchemy's cursor events on the migrating engine. After each statement it looks at
the server (infra.safety.observe) and records what the statement newly locked (diffed against what the
backend held before), which relations got a new relfilenode (rewritten), how many rows it read by
sequential scan, the constraints and NOT NULL columns it added, its duration, and the lock_timeout /
statement_timeout in force when it ran. Statements are attributed to revisions by Alembic's own
version stamp (the INSERT/UPDATE of alembic_version that closes each revision), so one `upgrade head`
over several revisions, in one transaction or many, is traced as it would run in production.

Statements run outside a transaction (`autocommit_block`, e.g. CREATE INDEX CONCURRENTLY) are traced
too; their locks are released when they end, so none are recorded for them (`in_transaction=False`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from infra.masking import mask_sql_secrets
from infra.safety import locks
from infra.safety.observe import Observation, fk_indexed, observe, timeouts

# Alembic's own reads and its version stamp touch nothing but the catalogs and alembic_version (both
# outside what the rules judge): the server is not looked at after them, which halves the cost.
_UNOBSERVED = re.compile(
    r"^\s*(SELECT\b.*\b(FROM pg_catalog\.|FROM alembic_version)"
    r"|(INSERT INTO|UPDATE|DELETE FROM) alembic_version\b)",
    re.IGNORECASE | re.DOTALL,
)
_SETTING = re.compile(r"^\s*(SET|RESET)\b|^\s*SELECT set_config\(", re.IGNORECASE)
_BOOKKEEPING = re.compile(
    r"alembic_version|pg_advisory|set_config\(|current_setting\(|\bFROM pg_catalog\.|^\s*(SET|RESET|SHOW)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lock:
    relation: str
    mode: str
    blocks: tuple[str, ...]  # application operations it makes wait: reads, writes, select for update
    existing: bool  # the relation existed before the trace began (it has rows, clients use it)
    table: str  # the table the relation belongs to (itself for a table)

    @property
    def blocking(self) -> bool:
        return "reads" in self.blocks or "writes" in self.blocks


@dataclass
class Statement:
    index: int
    sql: str
    transaction: int  # statements sharing a number ran in one transaction
    in_transaction: bool
    lock_timeout: str  # in force while it ran
    statement_timeout: str
    duration_s: float = 0.0
    revision: str | None = None
    bookkeeping: bool = False  # Alembic's version table, the migration lock, settings
    locks: list[Lock] = field(default_factory=list)  # newly held after it
    rewrites: list[str] = field(default_factory=list)  # existing relations with a new relfilenode
    scanned: dict[str, int] = field(default_factory=dict)  # existing table -> rows read by seq scans
    new_indexes: list[tuple[str, str]] = field(default_factory=list)  # (index, table)
    new_constraints: list[tuple[str, str, str, bool]] = field(
        default_factory=list
    )  # name, kind, table, valid
    validated: list[tuple[str, str]] = field(default_factory=list)  # (constraint, table) now validated
    set_not_null: list[str] = field(default_factory=list)  # "table.column" of existing columns
    error: str | None = None

    def short(self, width: int = 80) -> str:
        text = " ".join(self.sql.split())
        return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Trace:
    statements: list[Statement] = field(default_factory=list)
    existing: dict[int, str] = field(default_factory=dict)  # oid -> name of relations present at the start
    start: Observation | None = None
    end: Observation | None = None
    failed: str | None = None  # the upgrade's error, when it failed
    start_version: str | None = None  # the revision the database was at
    end_fk_indexed: dict[str, bool] = field(default_factory=dict)  # foreign key -> has a leading index

    def revisions(self) -> list[str]:
        seen: list[str] = []
        for st in self.statements:
            if st.revision and st.revision not in seen:
                seen.append(st.revision)
        return seen

    def of(self, revision: str) -> list[Statement]:
        return [s for s in self.statements if s.revision == revision]


class Tracer:
    """Records a Trace of everything executed on one SQLAlchemy connection while attached."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.trace = Trace()
        self._last: Observation | None = None
        self._fresh = True  # a transaction ended: look again before the next statement
        self._transaction = 0
        self._pending: list[Statement] = []
        self._current: Statement | None = None
        self._started = 0.0

    @contextmanager
    def attached(self) -> Iterator[Trace]:
        raw = self._raw()
        self._last = observe(raw)
        self.trace.start = self._last
        self.trace.existing = {
            oid: r.name for oid, r in self._last.relations.items() if r.name != "public.alembic_version"
        }
        if not raw.autocommit and not self.conn.in_transaction():
            raw.rollback()  # our look opened a transaction; the migration starts its own
        hooks = {
            "before_cursor_execute": self._before,
            "after_cursor_execute": self._after,
            "commit": self._ended,
            "rollback": self._ended,
        }
        # On the engine, not the connection: an env.py may open its own connection from the one handed
        # over (`config.attributes["connection"].engine.connect()`, as MLflow's does); while attached,
        # whatever runs on the engine is the migration's (the harness runs nothing else on it).
        engine = self.conn.engine
        for name, fn in hooks.items():
            event.listen(engine, name, fn)
        event.listen(engine, "handle_error", self._error)
        try:
            yield self.trace
        finally:
            for name, fn in hooks.items():
                event.remove(engine, name, fn)
            event.remove(engine, "handle_error", self._error)
            self.trace.statements += self._pending
            self._pending = []
            if not self.conn.closed and not self.conn.invalidated and not self.conn.in_transaction():
                raw = self._raw()
                raw.rollback()  # a failed upgrade leaves an aborted transaction behind
                self.trace.end = observe(raw)
                self.trace.end_fk_indexed = fk_indexed(raw)
                if not raw.autocommit:
                    raw.rollback()

    def _raw(self) -> Any:
        """The DBAPI (psycopg) connection under the SQLAlchemy one."""
        raw = self.conn.connection.dbapi_connection
        if raw is None:
            raise RuntimeError("the traced connection has no DBAPI connection")
        return raw

    def _ended(self, *_: Any) -> None:
        self._fresh = True

    def _before(self, conn: sa.Connection, cursor: Any, statement: str, *_: Any) -> None:
        raw = cursor.connection
        if self._fresh or self._last is None:
            if self._transaction or self._last is None:  # the look taken on attaching serves the first
                self._last = observe(raw)  # a new transaction (or none, under autocommit): no locks yet
            self._transaction += 1
            self._fresh = False
        self._current = Statement(
            len(self.trace.statements) + len(self._pending) + 1,
            mask_sql_secrets(statement),  # a role's PASSWORD '...' never reaches a report
            self._transaction,
            not raw.autocommit,
            self._last.lock_timeout,
            self._last.statement_timeout,
            bookkeeping=bool(_BOOKKEEPING.search(statement)),
        )
        self._started = time.perf_counter()

    def _after(  # noqa: PLR0917 - SQLAlchemy's event signature
        self, conn: sa.Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        st, before = self._current, self._last
        if st is None or before is None:
            return
        st.duration_s = time.perf_counter() - self._started
        raw = cursor.connection
        if _UNOBSERVED.match(statement) and not raw.autocommit:
            self._current = None
            self._settle(st, statement, parameters)
            return
        if _SETTING.match(statement) and not raw.autocommit:  # only the timeouts can have changed
            lock_timeout, statement_timeout = timeouts(raw)
            self._last = replace(before, lock_timeout=lock_timeout, statement_timeout=statement_timeout)
            self._current = None
            self._settle(st, statement, parameters)
            return
        after = observe(raw)
        self._record(st, before, after)
        if raw.autocommit:
            self._fresh = True
            after = after.without_locks()
        self._last, self._current = after, None
        self._settle(st, statement, parameters)

    def _settle(self, st: Statement, statement: str, parameters: Any) -> None:
        """Queue the statement; a version stamp attributes everything queued to its revision."""
        self._pending.append(st)
        version = _stamped_version(statement, parameters)
        if version is not None:
            for pending in self._pending:
                pending.revision = version
            self.trace.statements += self._pending
            self._pending = []

    def _error(self, context: Any) -> None:
        st = self._current
        if st is None:
            return
        st.duration_s = time.perf_counter() - self._started
        st.error = mask_sql_secrets(" ".join(str(context.original_exception).split()))[:300]
        self._pending.append(st)
        self._current = None
        self._fresh = True  # the transaction is aborted; nothing more can be read in it

    def _record(self, st: Statement, before: Observation, after: Observation) -> None:  # noqa: PLR0912 - one pass per kind of change
        existing = self.trace.existing
        rels = after.relations

        def table_of(oid: int) -> int:
            rel = rels.get(oid) or before.relations.get(oid)
            return rel.table if rel is not None and rel.table else oid

        def name(oid: int) -> str:
            rel = rels.get(oid) or before.relations.get(oid)
            return rel.name if rel is not None else str(oid)

        for oid, mode in sorted(after.locks - before.locks):
            if name(table_of(oid)) == "public.alembic_version":
                continue
            st.locks.append(Lock(name(oid), mode, locks.blocks(mode), oid in existing, name(table_of(oid))))
        for oid, rel in before.relations.items():
            new = rels.get(oid)
            if oid in existing and new is not None and new.relfilenode != rel.relfilenode:
                st.rewrites.append(rel.name)
        for oid, (_, read) in after.scans.items():
            scans_before, read_before = before.scans.get(oid, (0, 0))
            if oid in existing and after.scans[oid][0] != scans_before:
                st.scanned[name(oid)] = read - read_before if read >= read_before else read
        gone = {r.name: r for oid, r in before.relations.items() if oid not in rels}
        replaced = {n for n, r in gone.items() if r.oid in existing} & {
            r.name for oid, r in rels.items() if oid not in before.relations
        }
        for oid, rel in rels.items():
            if oid not in before.relations and rel.relkind in ("i", "I") and rel.table in rels:
                if rels[rel.table].name == "public.alembic_version":
                    continue
                if rel.name in gone and gone[rel.name].relfilenode == rel.relfilenode:
                    continue  # re-created under a new oid, same storage (binary compatible): not rebuilt
                if rel.name in replaced:  # rebuilt under a new oid with new storage: a rewrite
                    st.rewrites.append(rel.name)
                else:
                    st.new_indexes.append((rel.name, name(rel.table)))
        for oid, con in after.constraints.items():
            old = before.constraints.get(oid)
            if old is None:
                st.new_constraints.append((con.name, con.kind, name(con.table), con.validated))
            elif con.validated and not old.validated:
                st.validated.append((con.name, name(con.table)))
        for key in sorted(after.not_null - before.not_null):
            table_oid, _, column = key.partition(".")
            if int(table_oid) in existing:
                st.set_not_null.append(f"{name(int(table_oid))}.{column}")


def _stamped_version(statement: str, parameters: Any) -> str | None:
    """The revision an `INSERT INTO alembic_version` / `UPDATE alembic_version` stamps, if this is one."""
    head = statement.lstrip()[:30].upper()
    if "ALEMBIC_VERSION" not in statement.upper() or not head.startswith(("INSERT", "UPDATE")):
        return None
    if isinstance(parameters, dict) and "version_num" in parameters:
        return str(parameters["version_num"])
    found = re.search(r"version_num\s*=\s*'([^']+)'|VALUES\s*\('([^']+)'\)", statement, re.IGNORECASE)
    return (found.group(1) or found.group(2)) if found else None


def held_blocking_locks(statements: list[Statement]) -> dict[int, list[Lock]]:
    """For each statement index, the write-blocking locks on existing relations taken by an earlier
    statement of the same transaction and still held while it runs."""
    held: dict[int, list[Lock]] = {}
    carried: list[Lock] = []
    transaction = None
    for st in statements:
        if st.transaction != transaction or not st.in_transaction:
            carried, transaction = [], st.transaction
        held[st.index] = list(carried)
        carried += [lk for lk in st.locks if lk.existing and locks.blocks_writes(lk.mode)]
    return held
