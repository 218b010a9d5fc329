"""The project's Alembic in the project's own interpreter: a child process speaking JSON lines.

Started as `PYTHON child.py ALEMBIC_INI SCRIPT_LOCATION` by infra.migrations.project (never imported
by the harness's code paths: it uses only the standard library, SQLAlchemy >= 1.4 and Alembic >= 1.8,
whatever the project pins). One request per line on stdin, one answer per line on the protocol stream:

    {"cmd": "revisions"} -> {"ok": true, "revisions": [{"id", "parents", "doc"}...], "heads": [...]}
    {"cmd": "run", "action": "upgrade", "target": T, "url": U}  T: "rev" | ["head"...] | {"only": "rev"}
    {"cmd": "autogenerate", "url": U, "metadata": "mod:attr,mod"} -> {"ok": true, "ops": [...], ...}
    {"cmd": "create_all", "url": U, "metadata": "mod:attr,mod"}
    an error: {"ok": false, "type": "IntegrityError", "message": "...", "database": true,
               "not_implemented": false}

Catalog snapshots, seeding and judgement stay in the harness; this process only migrates (upgrade to
R, downgrade to R, on the URL it is given), and answers what only the project's SQLAlchemy can.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.config import Config
from alembic.operations.ops import UpgradeOps
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, MigrationStep
from alembic.script import ScriptDirectory

KEYS = (
    "include_object",
    "include_name",
    "include_schemas",
    "compare_type",
    "compare_server_default",
    "process_revision_directives",
)


class Configured(Exception):
    """env.py has called context.configure(): its options are recorded."""


LOCATION: list[str] = []  # the script_location the harness resolved (argv[2])
FUTURE = {"future": True} if sa.__version__.startswith("1.") else {}  # 2.0-style connections on 1.4


def _config(ini: str, connection: Any = None) -> Config:
    cfg = Config(ini)
    if LOCATION:
        cfg.set_main_option("script_location", LOCATION[0].replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def revisions(script: ScriptDirectory) -> dict[str, Any]:
    found = []
    for rev in reversed(list(script.walk_revisions("base", "heads"))):
        downs = rev.down_revision if isinstance(rev.down_revision, (tuple, list)) else (rev.down_revision,)
        deps = rev.dependencies if isinstance(rev.dependencies, (tuple, list)) else (rev.dependencies,)
        resolved = [script.get_revision(d) for d in deps if d]
        parents = [d for d in downs if d] + [r.revision for r in resolved if r is not None]
        found.append(
            {"id": rev.revision, "parents": list(dict.fromkeys(parents)), "doc": (rev.doc or "").strip()}
        )
    return {"revisions": found, "heads": sorted(script.get_heads())}


def _steps(script: ScriptDirectory, action: str, target: Any, current: Any) -> list[Any]:
    if isinstance(target, dict):
        rev = script.get_revision(target["only"])
        build = (
            MigrationStep.upgrade_from_script if action == "upgrade" else MigrationStep.downgrade_from_script
        )
        return [build(script.revision_map, rev)]
    target = tuple(target) if isinstance(target, list) else target
    if action == "upgrade":
        revs = reversed(list(script.iterate_revisions(target, current, implicit_base=True)))
        return [MigrationStep.upgrade_from_script(script.revision_map, s) for s in revs]
    if isinstance(target, tuple):
        target = target[0] if target else "base"
    revs = script.iterate_revisions(current, target, select_for_downgrade=True)
    return [MigrationStep.downgrade_from_script(script.revision_map, s) for s in revs]


def run(ini: str, script: ScriptDirectory, request: dict[str, Any]) -> dict[str, Any]:
    """The command on its own connection outside a transaction, as the `alembic` CLI would."""
    engine = sa.create_engine(request["url"], poolclass=sa.pool.NullPool, **FUTURE)
    action, target = request["action"], request["target"]
    try:
        with engine.connect() as conn:
            destination = target["only"] if isinstance(target, dict) else target
            fn = lambda rev, _ctx: _steps(script, action, target, rev)  # noqa: E731
            with EnvironmentContext(_config(ini, conn), script, fn=fn, destination_rev=destination):
                script.run_env()
            if conn.in_transaction():
                conn.commit()
    finally:
        engine.dispose()
    return {}


def _metadata(spec: str) -> sa.MetaData:
    target, *extra = [part.strip() for part in spec.split(",") if part.strip()]
    for module in extra:  # `pkg.models` imported; `pkg.models:import_all` called (lazy declarations)
        name, _, hook = module.partition(":")
        imported = importlib.import_module(name)
        if hook:
            getattr(imported, hook)()
    module_name, _, path = target.partition(":")
    found: Any = importlib.import_module(module_name)
    for attribute in (path or "metadata").split("."):
        found = getattr(found, attribute)
    return found if isinstance(found, sa.MetaData) else found.metadata


def _env_options(ini: str, script: ScriptDirectory, conn: Any) -> dict[str, Any]:
    context = EnvironmentContext(_config(ini, conn), script, fn=lambda _rev, _ctx: [])
    recorded: dict[str, Any] = {}

    def record(*_args: Any, **kwargs: Any) -> None:
        recorded.update(kwargs)
        raise Configured

    context.configure = record  # type: ignore[method-assign]
    try:
        with context:
            script.run_env()
    except Configured:
        pass
    return {k: recorded[k] for k in KEYS if k in recorded}


def autogenerate(ini: str, script: ScriptDirectory, request: dict[str, Any]) -> dict[str, Any]:
    metadata = _metadata(request["metadata"])
    engine = sa.create_engine(request["url"], poolclass=sa.pool.NullPool, **FUTURE)
    try:
        with engine.connect() as conn:
            env = _env_options(ini, script, conn)
            opts = {"compare_type": True, "compare_server_default": True, **env, "target_metadata": metadata}
            context = MigrationContext.configure(conn, opts=opts)
            directives = [produce_migrations(context, metadata)]
            if env.get("process_revision_directives") is not None:
                env["process_revision_directives"](context, ("head",), directives)
            ops = [op for d in directives for ups in d.upgrade_ops_list for op in ups.ops]
    finally:
        engine.dispose()
    rendered = []
    for op in ops:
        code = render_python_code(UpgradeOps(ops=[op]), migration_context=None)
        lines = [ln.strip() for ln in code.splitlines()]
        rendered.append(" ".join(ln for ln in lines if ln and not ln.startswith("#")))
    return {"ops": rendered, "applied": sorted(env), "tables": len(metadata.tables)}


def create_all(request: dict[str, Any]) -> dict[str, Any]:
    metadata = _metadata(request["metadata"])
    engine = sa.create_engine(request["url"], poolclass=sa.pool.NullPool, **FUTURE)
    try:
        with engine.begin() as conn:
            metadata.create_all(conn)
    finally:
        engine.dispose()
    return {"tables": len(metadata.tables)}


def main(ini: str) -> None:
    proto = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything env.py or a revision prints goes to stderr, never into the protocol
    script = ScriptDirectory.from_config(_config(ini))
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["cmd"] == "revisions":
                answer = revisions(script)
            elif request["cmd"] == "run":
                answer = run(ini, script, request)
            elif request["cmd"] == "autogenerate":
                answer = autogenerate(ini, script, request)
            else:
                answer = create_all(request)
            answer["ok"] = True
        except Exception as exc:  # the project's code raised: reported, the child lives on
            answer = {
                "ok": False,
                "type": type(exc).__name__,
                "message": str(exc),
                "database": isinstance(exc, sa.exc.SQLAlchemyError),
                "not_implemented": isinstance(exc, NotImplementedError),
            }
        proto.write(json.dumps(answer) + "\n")
        proto.flush()


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    LOCATION.append(sys.argv[2])
    main(sys.argv[1])
