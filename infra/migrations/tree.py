"""An Alembic tree (its alembic.ini) and how to run its commands on a given database.

Every command gets its connection through `config.attributes["connection"]`, the contract the
schema's env.py honours, so the harness decides which database is migrated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from infra.errors import HarnessError


@dataclass(frozen=True)
class Revision:
    id: str
    down: str | None  # None for the first revision
    doc: str


@dataclass(frozen=True)
class AlembicTree:
    ini: Path

    def __post_init__(self) -> None:
        if not self.ini.is_file():
            raise HarnessError(
                f"alembic config {self.ini} does not exist",
                "pass --alembic-ini or set ORDERFLOW_ALEMBIC_INI to an alembic.ini",
            )

    def config(self, connection: sa.Connection | None = None) -> Config:
        cfg = Config(str(self.ini))
        if connection is not None:
            cfg.attributes["connection"] = connection
        return cfg

    def script(self) -> ScriptDirectory:
        try:
            return ScriptDirectory.from_config(self.config())
        except CommandError as exc:
            raise HarnessError(f"cannot read the Alembic tree of {self.ini}: {exc}") from None

    def heads(self) -> list[str]:
        return sorted(self.script().get_heads())

    def linear_history(self) -> list[Revision]:
        """Revisions from the first to the head; HarnessError when the history is not one line."""
        script = self.script()
        heads = script.get_heads()
        if len(heads) != 1:
            raise HarnessError(
                f"{self.ini}: {len(heads)} heads ({', '.join(sorted(heads)) or 'none'})",
                "merge them with `alembic merge heads`" if heads else "add a first revision",
            )
        ordered = []
        for rev in script.walk_revisions("base", "heads"):
            down = rev.down_revision
            if isinstance(down, tuple | list):
                raise HarnessError(f"revision {rev.revision} merges {down}: the stepwise check needs a line")
            ordered.append(Revision(rev.revision, down, (rev.doc or "").strip()))
        return list(reversed(ordered))


def run(tree: AlembicTree, engine: sa.Engine, action: str, target: str) -> float:
    """`alembic upgrade|downgrade target` in one transaction on `engine`; returns seconds taken."""
    started = time.perf_counter()
    with engine.begin() as conn:
        cfg = tree.config(conn)
        if action == "upgrade":
            command.upgrade(cfg, target)
        elif action == "downgrade":
            command.downgrade(cfg, target)
        else:
            raise ValueError(action)
    return time.perf_counter() - started
