"""Cluster-wide objects a migration creates on a server the harness does not own, removed afterwards.

Roles, tablespaces, databases and `ALTER SYSTEM` settings belong to the whole PostgreSQL cluster, not to
the scratch database a run migrates: dropping that database leaves them behind (a revision's
`CREATE ROLE app LOGIN PASSWORD '...'` stays on the server, and the next run fails on it). A
`ClusterWatch` lists them before the run and records the statements run on the scratch engine; after
the run, an object that appeared and that one of those statements names is removed (an object nobody
here named, e.g. a colleague's new role, is left alone and said so)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql
from sqlalchemy import event

from infra.masking import mask_sql_secrets

_CLUSTER_DDL = re.compile(r"\b(ROLE|USER|GROUP|TABLESPACE|DATABASE|SYSTEM)\b", re.IGNORECASE)
_AUTO_CONF = "postgresql.auto.conf"
# In a scratch database's comment (infra.stack.databases): another run's, never this run's to remove.
SCRATCH_MARK = "orderflow-scratch"


@dataclass(frozen=True)
class ClusterObjects:
    roles: frozenset[str]
    tablespaces: frozenset[str]
    databases: frozenset[str]
    settings: dict[str, str]  # ALTER SYSTEM entries (postgresql.auto.conf): name -> value


def cluster_objects(admin_dsn: str) -> ClusterObjects:
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:

        def names(query: str) -> frozenset[str]:
            return frozenset(str(r[0]) for r in conn.execute(query))

        try:
            rows = conn.execute(
                "SELECT name, setting FROM pg_file_settings WHERE sourcefile LIKE %s ORDER BY seqno",
                (f"%{_AUTO_CONF}",),
            ).fetchall()
            settings = {str(n): str(v) for n, v in rows}
        except psycopg.errors.InsufficientPrivilege:  # pg_file_settings: superusers only
            settings = {}
        return ClusterObjects(
            names("SELECT rolname FROM pg_roles"),
            names("SELECT spcname FROM pg_tablespace"),
            names(
                "SELECT datname FROM pg_database "
                "WHERE coalesce(shobj_description(oid, 'pg_database'), '') NOT LIKE '%orderflow-scratch%'"
            ),
            settings,
        )


@dataclass
class ClusterWatch:
    """Before the run: what the cluster holds; during it: statements that may create cluster objects."""

    admin_dsn: str
    before: ClusterObjects
    statements: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, admin_dsn: str, engine: sa.Engine) -> ClusterWatch:
        watch = cls(admin_dsn, cluster_objects(admin_dsn))
        event.listen(engine, "before_cursor_execute", watch._seen)
        return watch

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _CLUSTER_DDL.search(statement):
            self.statements.append(statement.lower())

    def _named(self, name: str) -> bool:
        return any(name.lower() in s for s in self.statements)

    def clean_up(self, own_database: str) -> list[str]:
        """Remove what the run created across the cluster; one line per object (masked)."""
        after = cluster_objects(self.admin_dsn)
        done: list[str] = []
        kinds = (
            ("database", sorted(after.databases - self.before.databases - {own_database})),
            ("tablespace", sorted(after.tablespaces - self.before.tablespaces)),
            ("role", sorted(after.roles - self.before.roles)),
        )
        with psycopg.connect(self.admin_dsn, autocommit=True, connect_timeout=10) as conn:
            for kind, created in kinds:
                for name in created:
                    done.append(self._drop(conn, kind, name))
            changed = {k for k, v in after.settings.items() if self.before.settings.get(k) != v}
            changed |= set(self.before.settings) - set(after.settings)
            for name in sorted(changed):
                done.append(self._restore(conn, name))
            if changed:
                conn.execute("SELECT pg_reload_conf()")
        return [mask_sql_secrets(line) for line in done]

    def _drop(self, conn: psycopg.Connection[Any], kind: str, name: str) -> str:
        if not self._named(name):
            return f"{kind} {name} appeared during the run but no statement of it named it: left in place"
        force = sql.SQL(" WITH (FORCE)") if kind == "database" else sql.SQL("")
        query = sql.SQL("DROP {} IF EXISTS {}{}").format(sql.SQL(kind.upper()), sql.Identifier(name), force)
        try:
            conn.execute(query)
        except psycopg.Error as exc:
            return f"{kind} {name} created by the run could not be dropped: {' '.join(str(exc).split())}"
        return f"{kind} {name} created by the run: dropped"

    def _restore(self, conn: psycopg.Connection[Any], name: str) -> str:
        if not self._named(name):
            return f"setting {name} changed by ALTER SYSTEM during the run, not by it: left in place"
        old = self.before.settings.get(name)
        if old is None:
            conn.execute(sql.SQL("ALTER SYSTEM RESET {}").format(sql.Identifier(name)))
            return f"setting {name} set by ALTER SYSTEM in the run: reset"
        conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(old)))
        return f"setting {name} changed by ALTER SYSTEM in the run: restored to {old}"
