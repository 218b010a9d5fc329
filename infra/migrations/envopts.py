"""The project's own autogenerate settings, as `alembic check` uses them: the `include_object`,
`include_name`, `include_schemas`, `compare_type`, `compare_server_default` and
`process_revision_directives` its env.py passes to `context.configure(...)`.

They are captured by running env.py with an EnvironmentContext whose `configure` records its keyword
arguments and stops env.py right there (before any statement or migration runs), so the capture
changes nothing on any database. Settings env.py does not pass keep the harness's defaults.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from alembic.runtime.environment import EnvironmentContext

from infra.catalog import CatalogSnapshot
from infra.errors import HarnessError
from infra.migrations.tree import AlembicTree

KEYS = (
    "include_object",
    "include_name",
    "include_schemas",
    "compare_type",
    "compare_server_default",
    "process_revision_directives",
)
DEFAULTS: dict[str, Any] = {"compare_type": True, "compare_server_default": True}


class _Configured(Exception):
    """Raised from configure(): env.py has said everything the comparison needs."""


class _Recorder:
    """Stands in for EnvironmentContext.configure on one context (Alembic's `context` module proxies
    to the instance, so env.py's `context.configure(...)` lands here)."""

    def __init__(self) -> None:
        self.recorded: dict[str, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self.recorded = kwargs
        raise _Configured


@dataclass(frozen=True)
class EnvOptions:
    """What env.py set among KEYS (`set`), and the options autogenerate runs with."""

    set: dict[str, Any] = field(default_factory=dict)

    @property
    def opts(self) -> dict[str, Any]:
        return {**DEFAULTS, **self.set}

    def applied(self) -> str:
        if not self.set:
            return "env.py sets no autogenerate option: harness defaults compare_type, compare_server_default"
        default = ", ".join(k for k in DEFAULTS if k not in self.set)
        text = f"env.py's {', '.join(k for k in KEYS if k in self.set)} applied"
        return f"{text}; harness default {default}" if default else text

    def includes_table(self, name: str, schema: str | None, metadata: sa.MetaData | None) -> bool:
        """Whether env.py's include_name / include_object keep this table in the comparison."""
        include_name, include_object = self.set.get("include_name"), self.set.get("include_object")
        if include_name is not None and not include_name(name, "table", {"schema_name": schema}):
            return False
        if include_object is None:
            return True
        key = f"{schema}.{name}" if schema and schema != "public" else name
        model = metadata.tables.get(key) if metadata is not None else None
        obj = model if model is not None else sa.Table(name, sa.MetaData(), schema=schema)
        return bool(include_object(obj, name, "table", model is None, None))

    def filter(self, snap: CatalogSnapshot, metadata: sa.MetaData | None) -> CatalogSnapshot:
        """`snap` without the tables (and their columns, constraints, indexes, triggers...) env.py
        excludes."""
        if "include_name" not in self.set and "include_object" not in self.set:
            return snap
        dropped = {
            (t.schema, t.name) for t in snap.tables if not self.includes_table(t.name, t.schema, metadata)
        }
        changes: dict[str, Any] = {}
        for fld in dataclasses.fields(snap):
            objects = getattr(snap, fld.name)
            changes[fld.name] = tuple(o for o in objects if _owner(o) not in dropped)
        return dataclasses.replace(snap, **changes)


def _owner(obj: Any) -> tuple[str | None, str] | None:
    schema = getattr(obj, "schema", None)
    if getattr(obj, "kind", "") == "table":
        return (schema, obj.name)
    table = getattr(obj, "table", None) or (getattr(obj, "owned_by", None) or "").partition(".")[0]
    return (schema, table) if table else None


def capture(tree: AlembicTree, engine: sa.Engine) -> EnvOptions:
    """Run the tree's env.py until its `context.configure(...)`, recording the options it passes."""
    script = tree.script()
    with engine.connect() as conn:
        context = EnvironmentContext(tree.config(conn), script, fn=lambda _rev, _ctx: [])
        recorder = _Recorder()
        context.configure = recorder  # type: ignore[method-assign]
        try:
            with context:
                script.run_env()
        except _Configured:
            pass
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            raise HarnessError(
                f"{tree.ini}: env.py failed before context.configure(): {type(exc).__name__}: {first}",
                "the drift checks read env.py's autogenerate options; make env.py importable here",
            ) from None
        if conn.in_transaction():
            conn.rollback()
    return EnvOptions({k: recorder.recorded[k] for k in KEYS if k in recorder.recorded})
