"""Do the models and the migrations describe the same schema? Asked two ways:

- Alembic's autogenerate comparison of `metadata` against a database at head;
- the catalog of `metadata.create_all()` against the catalog of `upgrade head`, which also sees what
  autogenerate cannot (check constraint expressions, index operator classes, triggers, comments...).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from infra.catalog import snapshot
from infra.findings import Check, Finding, produces
from infra.migrations.checks import PgCatalog, upgrade_from_empty
from infra.migrations.roundtrip import Catalog
from infra.migrations.tree import AlembicTree
from infra.stack.databases import scratch_engine


@produces("migrations.drift-autogenerate")
def autogenerate_findings(
    check: Check, engine: sa.Engine, metadata: sa.MetaData, where: str
) -> list[Finding]:
    """Models and migrations agree (Alembic autogenerate).

    Why: A model change without a migration works in tests built with create_all() and fails in
    production.
    """
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True, "target_metadata": metadata}
        )
        diffs: list[Any] = compare_metadata(context, metadata)
    return [
        Finding(
            check.id,
            where,
            "models and migrations agree (autogenerate)",
            _describe(diff),
            "write a migration for the model change, or fix the model",
        )
        for diff in diffs
    ]


def _describe(diff: Any) -> str:
    """Autogenerate's diff tuples, readable: ('add_column', None, 'org', Column(...)) and friends."""
    if isinstance(diff, list):  # modify_* diffs come grouped
        return "; ".join(_describe(d) for d in diff)
    op, *rest = diff
    parts = [str(getattr(x, "name", x)) for x in rest if x is not None and not isinstance(x, dict)]
    return f"{op} {' '.join(parts)}".strip()


def create_all(engine: sa.Engine, metadata: sa.MetaData) -> None:
    with engine.begin() as conn:
        metadata.create_all(conn)


@produces("migrations.drift-catalog")
def catalog_drift_findings(
    check: Check, catalog: Catalog, from_models: Any, from_migrations: Any, where: str
) -> list[Finding]:
    """Create_all() and upgrade head build the same catalog.

    Why: Autogenerate does not compare check expressions, operator classes, triggers or comments; the
    catalogs do.
    """
    diff = catalog.diff(from_migrations, from_models)
    if not diff:
        return []
    return [
        Finding(
            check.id,
            where,
            "create_all() and upgrade head build the same catalog",
            f"they differ (- upgrade head, + create_all):\n{diff}",
            "align the model with the migration: names, expressions, operator classes, triggers",
        )
    ]


def catalog_drift(
    tree: AlembicTree, metadata: sa.MetaData, admin_dsn: str, url: str, where: str
) -> list[Finding]:
    """Build the schema twice on throwaway databases, by create_all() and by upgrade head, and compare."""
    snaps = []
    for build in ("models", "migrations"):
        with scratch_engine(admin_dsn, url, f"drift_{build}") as engine:
            if build == "models":
                create_all(engine, metadata)
            else:
                failed, _ = upgrade_from_empty(tree, engine)
                if failed:
                    return failed
            with engine.connect() as conn:
                snaps.append(snapshot(conn))
    return catalog_drift_findings(PgCatalog(), snaps[0], snaps[1], where)
