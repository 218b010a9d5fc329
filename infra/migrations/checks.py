"""The migration checks as plain functions returning findings (used by checks/, tests/ and the CLI)."""

from __future__ import annotations

import importlib
import importlib.util
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from infra.errors import HarnessError
from infra.findings import Check, Finding, produces
from infra.migrations.policy import Prepare
from infra.migrations.tree import AlembicTree, Failed, attempt


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
def upgrade_from_empty(
    check: Check, tree: AlembicTree, engine: sa.Engine, prepare: Prepare | None = None
) -> tuple[list[Finding], float]:
    """An empty database upgrades to head.

    `upgrade head` on the (empty) database behind `engine`; the finding carries the error. `prepare`
    first builds what the history's first revision expects (an existing base schema).

    Why: Every new environment (CI, a developer, a new region) starts from nothing.
    """
    started = time.perf_counter()
    if prepare is not None:
        with engine.begin() as conn:
            prepare(conn)
    try:
        attempt(tree, engine, "upgrade", "head", check.id, f"alembic tree {tree.ini}")
    except Failed as failed:
        return [failed.finding], time.perf_counter() - started
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
    """The models' MetaData from a spec: `module:attr.path` (or `path/to/models.py:attr.path`) naming a
    MetaData, a declarative base or anything with `.metadata` (default attribute: `metadata`), then
    optionally `,module,module...`: model modules imported first so that their tables are declared."""
    target_spec, *extra = [part.strip() for part in spec.split(",") if part.strip()]
    for module_name in extra:
        _import(module_name, spec)
    target, _, path = target_spec.partition(":")
    found: Any = _import(target, spec)
    for attribute in (path or "metadata").split("."):
        if not hasattr(found, attribute):
            raise HarnessError(
                f"{spec}: {type(found).__name__} {target} has no attribute {attribute!r}",
                "point at a MetaData, a declarative base or module:Base.metadata",
            )
        found = getattr(found, attribute)
    if not isinstance(found, sa.MetaData):
        found = getattr(found, "metadata", None)
    if not isinstance(found, sa.MetaData):
        raise HarnessError(
            f"{spec} is neither a SQLAlchemy MetaData nor has one", "point at the models' `metadata` or Base"
        )
    _AS_LOADED.setdefault(id(found), {t: (set(t.constraints), set(t.indexes)) for t in found.tables.values()})
    return found


# Per loaded MetaData: each table's constraints and indexes when the models were loaded.
_AS_LOADED: dict[int, dict[sa.Table, tuple[set[Any], set[Any]]]] = {}


@contextmanager
def models_as_loaded(metadata: sa.MetaData) -> Iterator[list[str]]:
    """The models as they were loaded, while the block runs: a revision file that builds a
    CheckConstraint from a model's column at import time attaches it to the model's table (Alembic
    imports revisions into the same process), and create_all() would then build it twice. Yields
    what was set aside ("table: constraint"); everything is put back afterwards."""
    removed: list[tuple[sa.Table, list[Any], list[Any]]] = []
    for table, (constraints, indexes) in _AS_LOADED.get(id(metadata), {}).items():
        extra_constraints: list[Any] = [c for c in table.constraints if c not in constraints]
        extra_indexes: list[Any] = [i for i in table.indexes if i not in indexes]
        table.constraints.difference_update(extra_constraints)
        table.indexes.difference_update(extra_indexes)
        removed.append((table, extra_constraints, extra_indexes))
    try:
        yield [
            f"{t.name}: {getattr(x, 'name', None) or type(x).__name__}" for t, c, i in removed for x in c + i
        ]
    finally:
        for table, extra_constraints, extra_indexes in removed:
            table.constraints.update(extra_constraints)
            table.indexes.update(extra_indexes)


def _import(target: str, spec: str) -> Any:
    if target.endswith(".py"):
        path = Path(target)
        module_spec = importlib.util.spec_from_file_location(f"_models_{abs(hash(path.resolve()))}", path)
        if module_spec is None or module_spec.loader is None or not path.is_file():
            raise HarnessError(
                f"models file {path} does not exist", "pass an existing file: path.py:metadata"
            )
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(target)
    except ImportError as exc:
        raise HarnessError(
            f"--metadata {spec}: cannot import {target}: {exc}", "is the package installed / on PYTHONPATH?"
        ) from None
