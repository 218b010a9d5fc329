"""One look at what this backend holds and what the schema's relations are, in a single round trip.

Run on the migrating connection itself (its raw DBAPI connection, so no SQLAlchemy event fires), after
each statement: relation-level locks granted to `pg_backend_pid()`, each user relation's relfilenode
(a new one means a rewrite), per-table sequential scans and rows read in this transaction
(`pg_stat_get_xact_numscans` / `_tuples_returned`, what pg_stat_xact_user_tables shows), constraints
and NOT NULL columns, and the timeouts in force.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_USER = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"

# A constant: only the fixed filter above is formatted in.
QUERY = f"""
SELECT json_build_object(
  'locks', (SELECT coalesce(json_agg(json_build_array(l.relation, l.mode)), '[]')
            FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND {_USER}),
  'rels', (SELECT coalesce(json_object_agg(c.oid, json_build_array(
              c.relfilenode, c.relkind, n.nspname || '.' || c.relname, coalesce(i.indrelid, 0),
              coalesce(i.indisvalid, true), c.reltuples,
              pg_stat_get_xact_numscans(c.oid), pg_stat_get_xact_tuples_returned(c.oid))), '{{}}')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_index i ON i.indexrelid = c.oid
           WHERE c.relkind IN ('r', 'p', 'i', 'I', 'm') AND {_USER}),
  'constraints', (SELECT coalesce(json_object_agg(k.oid, json_build_array(
                    k.conname, k.contype, k.convalidated, k.conrelid)), '{{}}')
                  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_USER}),
  'notnull', (SELECT coalesce(json_agg(a.attrelid || '.' || a.attname), '[]')
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE a.attnotnull AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
              AND {_USER}),
  'lock_timeout', current_setting('lock_timeout'),
  'statement_timeout', current_setting('statement_timeout'))
"""  # noqa: S608


@dataclass(frozen=True)
class Relation:
    oid: int
    relfilenode: int
    relkind: str
    name: str  # schema.name
    table: int  # the indexed table's oid for an index, else 0
    valid: bool  # pg_index.indisvalid (True for tables)
    rows: float  # pg_class.reltuples (an estimate; -1 when never analysed)


@dataclass(frozen=True)
class Constraint:
    oid: int
    name: str
    kind: str  # c, f, u, p, x, t, n
    validated: bool
    table: int


@dataclass
class Observation:
    locks: set[tuple[int, str]] = field(default_factory=set)  # (relation oid, mode)
    relations: dict[int, Relation] = field(default_factory=dict)
    scans: dict[int, tuple[int, int]] = field(default_factory=dict)  # table oid -> (seq_scan, seq_tup_read)
    constraints: dict[int, Constraint] = field(default_factory=dict)
    not_null: set[str] = field(default_factory=set)  # "<table oid>.<column>"
    lock_timeout: str = "0"
    statement_timeout: str = "0"

    @classmethod
    def parse(cls, doc: dict[str, Any]) -> Observation:
        relations = {
            int(oid): Relation(int(oid), int(r[0]), r[1], r[2], int(r[3]), r[4], float(r[5]))
            for oid, r in doc["rels"].items()
        }
        constraints = {
            int(oid): Constraint(int(oid), c[0], c[1], c[2], int(c[3]))
            for oid, c in doc["constraints"].items()
        }
        return cls(
            {(int(oid), mode) for oid, mode in doc["locks"]},
            relations,
            {int(oid): (r[6], r[7]) for oid, r in doc["rels"].items() if r[1] in ("r", "p", "m")},
            constraints,
            set(doc["notnull"]),
            doc["lock_timeout"],
            doc["statement_timeout"],
        )

    def without_locks(self) -> Observation:
        """The same state after the transaction ended: every lock released."""
        return Observation(
            set(),
            self.relations,
            self.scans,
            self.constraints,
            self.not_null,
            self.lock_timeout,
            self.statement_timeout,
        )


def observe(dbapi_connection: Any) -> Observation:
    """Read the state through a DBAPI (psycopg) connection, inside whatever transaction it is in."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(QUERY, prepare=True)  # planned once per connection: it runs after every statement
        row = cursor.fetchone()
    finally:
        cursor.close()
    doc = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    return Observation.parse(doc)


def no_timeout(value: str) -> bool:
    """PostgreSQL shows a disabled timeout as "0"."""
    return value.strip() in ("0", "0ms", "0s")


FK_INDEXED = """
SELECT k.conname, EXISTS (
  SELECT 1 FROM pg_index i WHERE i.indrelid = k.conrelid AND i.indisvalid
  AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(k.conkey)] @> k.conkey
  AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(k.conkey)] <@ k.conkey)
FROM pg_constraint k WHERE k.contype = 'f'
"""


def fk_indexed(dbapi_connection: Any) -> dict[str, bool]:
    """Each foreign key's name -> whether a valid index leads with exactly its referencing columns."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(FK_INDEXED)
        return {name: bool(ok) for name, ok in cursor.fetchall()}
    finally:
        cursor.close()


def timeouts(dbapi_connection: Any) -> tuple[str, str]:
    """Only the timeouts in force (after a SET, nothing else can have changed)."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')", prepare=True
        )
        row = cursor.fetchone()
    finally:
        cursor.close()
    return str(row[0]), str(row[1])
