"""Which DBAPI driver a tree's migrations run with: the project's, not ours.

A revision that passes under its own driver can fail under another (psycopg 3 binds typed parameters:
`UPDATE t SET intcol = :v` with a string bound works under psycopg2 and fails under psycopg 3), so the
migrations run with the driver the project names. The harness's own reads (catalog snapshots, rows,
seeding) keep psycopg 3; only the URL scheme of the migrating connection changes.

Chosen, first match wins: `--driver` / ORDERFLOW_DRIVER, `driver =` in [tool.orderflow.migrations],
the scheme of the tree's alembic.ini `sqlalchemy.url`, a `postgresql+<driver>://` named in its
env.py, else psycopg 3. A bare `postgresql://` means SQLAlchemy's default (psycopg2) when installed.
"""

from __future__ import annotations

import configparser
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from infra.errors import HarnessError

DEFAULT = "psycopg"
SYNC_TWIN = {"asyncpg": "psycopg", "psycopg_async": "psycopg"}  # the harness hands a sync connection
_MODULE = {"psycopg": "psycopg", "psycopg2": "psycopg2", "psycopg2cffi": "psycopg2cffi", "pg8000": "pg8000"}
_PACKAGE = {"psycopg": "'psycopg[binary]'", "psycopg2": "psycopg2-binary"}
_SCHEME = re.compile(r"\bpostgres(?:ql)?(?:\+(\w+))?://")


@dataclass(frozen=True)
class Driver:
    name: str  # SQLAlchemy's driver name for the postgresql dialect: psycopg, psycopg2, pg8000
    source: str  # where the choice came from, for the report

    @property
    def scheme(self) -> str:
        return f"postgresql+{self.name}"

    def describe(self) -> str:
        return f"{self.scheme} ({self.source})"


def parse_driver(value: str, where: str) -> str:
    """A driver name or URL scheme (`psycopg2`, `postgresql+psycopg2`): the driver name; HarnessError
    naming `where` for anything else."""
    name = value.strip().removeprefix("postgresql+").removeprefix("postgresql").strip("+:/")
    name = name or "psycopg2"  # a bare `postgresql`: SQLAlchemy's default
    if name not in _MODULE:
        raise HarnessError(
            f"{where}: unknown PostgreSQL driver {value!r}",
            f"use one of {', '.join(sorted(_MODULE))} (SQLAlchemy's postgresql+<driver> names)",
        )
    return name


def _installed(name: str) -> bool:
    return importlib.util.find_spec(_MODULE[name]) is not None


def named_by_tree(ini: Path, script_location: str) -> Driver | None:
    """The driver the tree's ini (`sqlalchemy.url`) or env.py (in `script_location`) names, or None."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini, encoding="utf-8")
    url = parser.get("alembic", "sqlalchemy.url", fallback="")
    found = _SCHEME.search(url)
    source = f"{ini.name} sqlalchemy.url"
    if found is None:
        candidate = Path(script_location) / "env.py"
        env = candidate if candidate.is_file() else None
        found = _SCHEME.search(env.read_text(encoding="utf-8")) if env is not None else None
        source = f"{env} names it" if env is not None else source
    if found is None:
        return None
    name = found.group(1) or ""
    if not name:
        if _installed("psycopg2"):
            return Driver("psycopg2", f"{source}: postgresql:// is SQLAlchemy's default, psycopg2")
        return Driver(DEFAULT, f"{source}: postgresql://, psycopg2 is not installed")
    if name in SYNC_TWIN:
        return Driver(SYNC_TWIN[name], f"{source}: {name}, run with its synchronous twin")
    return Driver(name, source) if name in _MODULE else None


def choose(user: tuple[str, str] | None, policy_driver: str | None) -> Driver | None:
    """The driver chosen by the user (`user`: value and where, from infra.config.driver), else by the
    policy; None: the tree's own then (AlembicTree.driver)."""
    if user is not None:
        return Driver(parse_driver(user[0], user[1]), user[1])
    if policy_driver:
        return Driver(parse_driver(policy_driver, "[tool.orderflow.migrations] driver"), "policy `driver`")
    return None


def require_installed(driver: Driver) -> Driver:
    """`driver`, when its DBAPI module is importable here; HarnessError naming it otherwise."""
    if not _installed(driver.name):
        raise HarnessError(
            f"driver {driver.describe()}: its module {_MODULE[driver.name]} is not installed",
            f"pip install {_PACKAGE.get(driver.name, driver.name)} or pass --driver psycopg",
        )
    return driver


def migration_url(url: sa.URL, driver: Driver) -> sa.URL:
    """`url` with the driver's scheme (same server, database, user and passfile)."""
    return url.set(drivername=driver.scheme)
