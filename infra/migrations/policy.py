"""A project's migration policy, from `[tool.orderflow.migrations]` in its pyproject.toml:

    [tool.orderflow.migrations]
    downgrade_floor = "451aebb31d03"   # this revision and every one below it: not downgradable
    irreversible = ["0a8213491aaa"]    # these revisions' downgrades are unsupported by policy
    lossy = ["5c1d0e2f9a77"]           # these downgrades delete or null data on purpose: reported
                                       # as declared (kind downgrade-loses-data), not failed
    prepare = "base_schema.sql"        # or "pkg.module:callable(connection)", or "pkg.module:Base"
                                       # (create_all of those models): run before the first revision
    driver = "psycopg2"                # the DBAPI driver the migrations run with (default: the tree's)

Why: a project whose downgrades are unsupported by policy must be able to say so once instead of
deselecting the round trip; the walk then reports those revisions as declared and goes on above them.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from infra.errors import HarnessError

TABLE = ("tool", "orderflow", "migrations")


@dataclass(frozen=True)
class Policy:
    source: Path | None = None  # the file it was read from; None for the defaults
    irreversible: frozenset[str] = frozenset()
    downgrade_floor: str | None = None
    prepare: str | None = None  # SQL file (relative to `source`) or module:callable
    lossy: frozenset[str] = frozenset()
    unknown: tuple[str, ...] = field(default=())  # keys we do not know (typos), reported by the CLI
    driver: str | None = None  # the migrations' DBAPI driver (infra.migrations.driver)

    def declared(self, revision: str, line: list[str]) -> str | None:
        """Why `revision`'s downgrade is declared unsupported, or None. `line`: ids from first to head."""
        if revision in self.irreversible:
            return f"listed as irreversible in {self.source}"
        floor = self.downgrade_floor
        if floor and floor in line and revision in line and line.index(revision) <= line.index(floor):
            return f"at or below downgrade_floor {self.downgrade_floor} ({self.source})"
        return None

    def declared_lossy(self, revision: str) -> str | None:
        """Why `revision`'s downgrade may lose data (declared in the policy), or None."""
        return f"listed as lossy in {self.source}" if revision in self.lossy else None

    def unknown_revisions(self, line: list[str]) -> list[str]:
        """Declared ids the history does not have: a stale policy should say so."""
        named = set(self.irreversible) | set(self.lossy)
        named |= {self.downgrade_floor} if self.downgrade_floor else set()
        return sorted(named - set(line))


def parse(doc: dict[str, Any], source: Path | None) -> Policy:
    table: Any = doc
    for key in TABLE:
        table = table.get(key, {}) if isinstance(table, dict) else {}
    irreversible = table.get("irreversible", [])
    if not isinstance(irreversible, list) or not all(isinstance(r, str) for r in irreversible):
        raise HarnessError(f"{source}: irreversible must be a list of revision ids", f"got {irreversible!r}")
    lossy = table.get("lossy", [])
    if not isinstance(lossy, list) or not all(isinstance(r, str) for r in lossy):
        raise HarnessError(f"{source}: lossy must be a list of revision ids", f"got {lossy!r}")
    floor = table.get("downgrade_floor")
    if floor is not None and not isinstance(floor, str):
        raise HarnessError(f"{source}: downgrade_floor must be a revision id", f"got {floor!r}")
    known = {"irreversible", "downgrade_floor", "prepare", "driver", "lossy"}
    driver = table.get("driver")
    if driver is not None and not isinstance(driver, str):
        raise HarnessError(f"{source}: driver must be a driver name such as psycopg2", f"got {driver!r}")
    unknown = tuple(sorted(set(table) - known))
    return Policy(
        source,
        frozenset(irreversible),
        floor,
        table.get("prepare"),
        frozenset(lossy),
        unknown,
        driver,
    )


def load(explicit: Path | None, ini: Path) -> Policy:
    """`explicit` (a pyproject-style TOML file), else the nearest pyproject.toml at or above the
    alembic.ini that has the table, else no policy."""
    if explicit is not None:
        if not explicit.is_file():
            raise HarnessError(
                f"migration policy {explicit} does not exist", "pass a pyproject-style TOML file"
            )
        return parse(tomllib.loads(explicit.read_text(encoding="utf-8")), explicit)
    for folder in [ini.resolve().parent, *ini.resolve().parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            doc = tomllib.loads(candidate.read_text(encoding="utf-8"))
            if doc.get("tool", {}).get("orderflow", {}).get("migrations") is not None:
                return parse(doc, candidate)
    return Policy()


Prepare = Callable[[sa.Connection], None]


def run_script(conn: sa.Connection, sql: str) -> None:
    """Several SQL statements as they are written (no placeholders: `%` is a literal), in the
    connection's transaction."""
    driver: Any = conn.connection.driver_connection
    driver.execute(sql)


def prepare_hook(policy: Policy, explicit: str | None = None) -> Prepare | None:
    """The hook that builds what a history's first revision expects: a SQL file, or `module:callable`
    taking a connection. `explicit` (a flag) wins over the policy's `prepare`."""
    spec = explicit or policy.prepare
    if not spec:
        return None
    base = policy.source.parent if policy.source and not explicit else Path.cwd()
    if spec.endswith(".sql"):
        path = Path(spec) if Path(spec).is_absolute() else base / spec
        if not path.is_file():
            raise HarnessError(f"prepare file {path} does not exist", "pass a .sql file or module:callable")
        sql = path.read_text(encoding="utf-8")
        return lambda conn: run_script(conn, sql)
    module, _, attribute = spec.partition(":")
    try:
        hook: Any = importlib.import_module(module)
        for name in (attribute or "prepare").split("."):
            hook = getattr(hook, name)
    except (ImportError, AttributeError) as exc:
        raise HarnessError(
            f"prepare hook {spec!r}: {exc}", "pass path.sql or package.module:callable"
        ) from None
    metadata = hook if isinstance(hook, sa.MetaData) else getattr(hook, "metadata", None)
    if isinstance(metadata, sa.MetaData):  # the models the history starts from: create them
        return metadata.create_all
    if not callable(hook):
        raise HarnessError(f"prepare hook {spec!r} is not callable", "point at a function(connection)")
    return hook  # type: ignore[no-any-return]
