"""The migration checks as plain functions returning findings (used by checks/, tests/ and the CLI)."""

from __future__ import annotations

import importlib
import importlib.util
import time
from pathlib import Path

import sqlalchemy as sa
from alembic.util.exc import CommandError

from infra.catalog import CatalogSnapshot, diff, snapshot
from infra.errors import HarnessError
from infra.findings import Check, Finding, produces
from infra.migrations.tree import AlembicTree, run


class PgCatalog:
    """The catalog operations the round trip needs, on infra.catalog."""

    def snapshot(self, conn: sa.Connection) -> CatalogSnapshot:
        return snapshot(conn)

    def diff(self, before: CatalogSnapshot, after: CatalogSnapshot) -> str:
        return diff(before, after).render()


@produces("migrations.single-head")
def single_head_findings(check: Check, tree: AlembicTree) -> list[Finding]:
    """The history has exactly one head.

    Why: Two heads mean two branches were merged without a merge revision; `upgrade head` is ambiguous.
    """
    heads = tree.heads()
    if len(heads) == 1:
        return []
    return [
        Finding(
            check.id,
            f"alembic tree {tree.ini}",
            "exactly one head",
            f"{len(heads)} heads: {', '.join(heads) or 'none'}",
            "merge them: `alembic merge heads -m 'merge'`" if heads else "add a first revision",
        )
    ]


@produces("migrations.upgrade-from-empty")
def upgrade_from_empty(check: Check, tree: AlembicTree, engine: sa.Engine) -> tuple[list[Finding], float]:
    """An empty database upgrades to head.

    Why: Every new environment (CI, a developer, a new region) starts from nothing.
    """
    started = time.perf_counter()
    try:
        run(tree, engine, "upgrade", "head")
    except (sa.exc.SQLAlchemyError, CommandError, HarnessError) as exc:
        first = str(exc).strip().splitlines()[0]
        return [
            Finding(
                check.id,
                f"alembic tree {tree.ini}",
                "upgrade head succeeds",
                f"it raised {type(exc).__name__}: {first}",
            )
        ], time.perf_counter() - started
    return [], time.perf_counter() - started


@produces("budget.migration-time")
def migration_time_findings(check: Check, seconds: float, budget_s: float, where: str) -> list[Finding]:
    """Upgrade head on an empty database within the seed's 10 s.

    Why: The seed promises migrations in under 10 seconds; slow migrations block deploys and lock tables.
    """
    if seconds <= budget_s:
        return []
    return [
        Finding(
            check.id,
            where,
            f"upgrade head within {budget_s:g}s",
            f"took {seconds:.2f}s",
            "split the migration, or move data backfills out of the schema change",
        )
    ]


def load_metadata(spec: str) -> sa.MetaData:
    """`package.module:attribute` or `path/to/models.py:attribute` -> the MetaData it names."""
    target, _, attribute = spec.partition(":")
    attribute = attribute or "metadata"
    if target.endswith(".py"):
        path = Path(target)
        module_spec = importlib.util.spec_from_file_location(f"_models_{abs(hash(path.resolve()))}", path)
        if module_spec is None or module_spec.loader is None or not path.is_file():
            raise HarnessError(
                f"models file {path} does not exist", "pass an existing file: path.py:metadata"
            )
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(target)
    metadata = getattr(module, attribute, None)
    if not isinstance(metadata, sa.MetaData):
        raise HarnessError(f"{spec} is not a SQLAlchemy MetaData", "point at the models' `metadata`")
    return metadata
