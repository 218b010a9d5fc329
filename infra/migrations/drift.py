"""Do the models and the migrations describe the same schema? Asked two ways:

- Alembic's autogenerate comparison of `metadata` against a database at head, each difference
  rendered as the operation autogenerate would write into a migration;
- the catalog of `metadata.create_all()` against the catalog of `upgrade head`, which also sees what
  autogenerate cannot (check constraint expressions, index operator classes, triggers, comments...).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from alembic.operations.ops import UpgradeOps

from infra.catalog import CatalogSnapshot, diff, snapshot
from infra.errors import HarnessError
from infra.findings import Check, Finding, produces
from infra.migrations.checks import models_as_loaded, upgrade_from_empty
from infra.migrations.driver import migration_url
from infra.migrations.envopts import EnvOptions
from infra.migrations.policy import Prepare
from infra.migrations.project import ChildDatabaseError
from infra.migrations.tree import AlembicTree
from infra.stack.databases import scratch_engine

HINT = "write a migration for the model change, or fix the model"


def nothing_to_compare(metadata: sa.MetaData) -> str | None:
    """Why a drift check would compare nothing (models that declare no table), or None."""
    if metadata.tables:
        return None
    return (
        "the models declare no table, so models and migrations cannot be compared: point --metadata "
        "at the models' MetaData and list the modules that declare tables (`pkg.db:Base,pkg.models`)"
    )


@produces("migrations.drift-autogenerate")
def autogenerate_findings(  # noqa: PLR0917 - the comparison's inputs
    check: Check,
    engine: sa.Engine,
    metadata: sa.MetaData | None,
    where: str,
    options: EnvOptions | None = None,
    project: AlembicTree | None = None,
    spec: str = "",
) -> list[Finding]:
    """Models and migrations agree (Alembic autogenerate).

    Differences autogenerate sees between `metadata` and the database (at head), each rendered as the
    operation autogenerate would write. `options`: env.py's own settings (include_object, compare_type,
    process_revision_directives...), applied as `alembic check` applies them. With a `project` run by
    its own interpreter, the comparison runs there (models `spec`, env.py's options read there too).

    Why: A model change without a migration works in tests built with create_all() and fails in
    production.
    """
    options = options or EnvOptions()
    if project is not None and project.python is not None:  # the models live in the project's Python
        url = migration_url(engine.url, project.driver()).render_as_string(hide_password=False)
        answer = project.child().ask({"cmd": "autogenerate", "url": url, "metadata": spec})
        return [
            Finding(check.id, where, "models and migrations agree (autogenerate)", op, HINT)
            for op in answer["ops"]
        ]
    if metadata is None:
        raise HarnessError(f"{where}: no models to compare", "pass --metadata")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={**options.opts, "target_metadata": metadata})
        directives = [produce_migrations(context, metadata)]
        hook = options.set.get("process_revision_directives")
        if hook is not None:
            hook(context, ("head",), directives)
    ops = [op for d in directives for ups in d.upgrade_ops_list for op in ups.ops]
    return [
        Finding(
            check.id,
            where,
            "models and migrations agree (autogenerate)",
            render_op(op),
            HINT,
        )
        for op in ops
    ]


def render_op(op: object) -> str:
    """One operation as `alembic revision --autogenerate` writes it (`op.add_column(...)`)."""
    code = render_python_code(UpgradeOps(ops=[op]), migration_context=None)  # type: ignore[list-item]
    lines = [line.strip() for line in code.splitlines()]
    return " ".join(line for line in lines if line and not line.startswith("#"))


def _build_models(tree: AlembicTree, engine: sa.Engine, metadata: sa.MetaData | None, spec: str) -> None:
    if tree.python is not None:
        url = migration_url(engine.url, tree.driver()).render_as_string(hide_password=False)
        tree.child().ask({"cmd": "create_all", "url": url, "metadata": spec})
    elif metadata is not None:
        create_all(engine, metadata)


def create_all(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """The models' schema, as the models were loaded (see models_as_loaded)."""
    with engine.begin() as conn, models_as_loaded(metadata):
        metadata.create_all(conn)


@produces("migrations.drift-catalog")
def catalog_drift_findings(
    check: Check, from_models: CatalogSnapshot, from_migrations: CatalogSnapshot, where: str
) -> list[Finding]:
    """Create_all() and upgrade head build the same catalog.

    Why: Autogenerate does not compare check expressions, operator classes, triggers or comments; the
    catalogs do.
    """
    changes = diff(from_migrations, from_models)
    if not changes:
        return []
    return [
        Finding(
            check.id,
            where,
            "create_all() and upgrade head build the same catalog",
            f"they differ (- upgrade head, + create_all):\n{changes.render()}",
            "align the model with the migration: names, expressions, operator classes, triggers",
        )
    ]


def catalog_drift(  # noqa: PLR0917 - the two builds' inputs
    tree: AlembicTree,
    metadata: sa.MetaData | None,
    admin_dsn: str,
    url: str,
    where: str,
    prepare: Prepare | None = None,
    options: EnvOptions | None = None,
    spec: str = "",
) -> list[Finding]:
    """Build the schema twice on throwaway databases, by create_all() and by upgrade head, and compare
    (without the tables env.py's include_name / include_object exclude, `options`). A database error
    while building either is a finding naming the build, never a traceback. A tree run by the
    project's interpreter builds the models there (`spec`)."""
    snaps = []
    for build in ("models", "migrations"):
        with scratch_engine(admin_dsn, url, f"drift_{build}") as engine:
            if build == "models":
                try:
                    if prepare is not None:
                        with engine.begin() as conn:
                            prepare(conn)
                    _build_models(tree, engine, metadata, spec)
                except (sa.exc.SQLAlchemyError, ChildDatabaseError) as exc:
                    first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
                    kind = getattr(exc, "type_name", type(exc).__name__)
                    return [
                        Finding(
                            catalog_drift_findings.check.id,
                            f"{where} (models)",
                            "metadata.create_all() builds the models' schema",
                            f"the database refused it: {kind}: {first}",
                            "fix the model the error names (e.g. a foreign key to a non-unique column)",
                        )
                    ]
            else:
                failed, _ = upgrade_from_empty(tree, engine, prepare)
                if failed:
                    return failed
            with engine.connect() as conn:
                snaps.append(snapshot(conn))
    keep = options or EnvOptions()
    return catalog_drift_findings(keep.filter(snaps[0], metadata), keep.filter(snaps[1], metadata), where)
