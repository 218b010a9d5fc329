"""An Alembic tree (its alembic.ini) and how to run its commands on a given database.

Every command gets its connection through `config.attributes["connection"]`, the contract the
schema's env.py honours, so the harness decides which database is migrated.

The tree is loaded once per process (`AlembicTree.script()`): Alembic's command API builds a new
ScriptDirectory per command and so re-imports every revision file, which repeats any module-level
side effect of a revision (a constraint attached to a shared model at import time grows with every
command) and costs time. Commands here run on that one loaded tree through Alembic's public
EnvironmentContext, the same steps `alembic upgrade|downgrade` takes.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationStep
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError

from infra.errors import HarnessError
from infra.findings import Finding
from infra.masking import mask_sql_secrets
from infra.migrations import landed
from infra.migrations.driver import DEFAULT, Driver, migration_url, named_by_tree, require_installed
from infra.migrations.project import ProjectAlembic, project_alembic
from infra.migrations.revisions import Only, Revision, Target, describe

__all__ = [  # Revision and the targets are re-exported: callers import them from here
    "AlembicTree",
    "Failed",
    "Observe",
    "Only",
    "Revision",
    "Target",
    "attempt",
    "describe",
    "migrating_engine",
    "resolve_script_location",
    "run",
]

_SCRIPTS: dict[Path, tuple[int, ScriptDirectory]] = {}  # per alembic.ini: (versions mtime, tree)


def resolve_script_location(ini: Path, location: str | None, cwd: Path | None = None) -> str:
    """`script_location` as Alembic will find it: absolute, `package:path`, relative to the working
    directory (Alembic's rule), else relative to the ini file's folder or one of its parents (where a
    packaged tree's ini usually points from). HarnessError naming the places tried when none exists."""
    if not location:
        raise HarnessError(f"{ini} has no script_location", "set [alembic] script_location")
    if ":" in location and not Path(location).is_absolute() and location[1:3] != ":\\":
        return location  # package resource, resolved by Alembic
    path = Path(location)
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [(cwd or Path.cwd()) / path, *(d / path for d in [ini.parent, *ini.parent.parents])]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return str(candidate.resolve())
    raise HarnessError(
        f"script_location {location!r} of {ini} has no env.py; tried "
        f"{', '.join(map(str, candidates[:3]))}...",
        "make script_location absolute, or relative to the ini file (%(here)s/...)",
    )


@dataclass(frozen=True)
class AlembicTree:
    ini: Path
    chosen_driver: Driver | None = field(default=None, compare=False)  # the user's; None: the tree's
    python: Path | None = field(default=None, compare=False)  # the project's interpreter, when not ours

    def __post_init__(self) -> None:
        if not self.ini.is_file():
            raise HarnessError(
                f"alembic config {self.ini} does not exist",
                "pass --alembic-ini or set ORDERFLOW_ALEMBIC_INI to an alembic.ini",
            )

    def config(self, connection: sa.Connection | None = None) -> Config:
        cfg = Config(str(self.ini))
        location = resolve_script_location(self.ini, cfg.get_main_option("script_location"))
        cfg.set_main_option("script_location", location.replace("%", "%%"))
        if connection is not None:
            cfg.attributes["connection"] = connection
        return cfg

    def script(self) -> ScriptDirectory:
        """The tree, loaded once per process (revision files imported once)."""
        key = self.ini.resolve()
        cached = _SCRIPTS.get(key)
        if cached is not None and cached[0] == _mtime(cached[1]):
            return cached[1]
        try:
            script = ScriptDirectory.from_config(self.config())
        except CommandError as exc:
            raise HarnessError(f"cannot read the Alembic tree of {self.ini}: {exc}") from None
        _SCRIPTS[key] = (_mtime(script), script)
        return script

    def version_dirs(self) -> list[Path]:
        """The folders holding revision files: every `version_locations` entry, else `versions/`
        beside env.py (a tree's own folder is the last one)."""
        script = self.script()
        return [Path(d) for d in script.version_locations or [str(Path(script.dir) / "versions")]]

    def heads(self) -> list[str]:
        if self.python is not None:
            return list(self.child().ask({"cmd": "revisions"})["heads"])
        return sorted(self.script().get_heads())

    def with_driver(self, driver: Driver | None) -> AlembicTree:
        """This tree with the user's driver choice (None: the tree's own)."""
        return dataclasses.replace(self, chosen_driver=driver)

    def with_python(self, python: Path | None) -> AlembicTree:
        """This tree run by the project's own interpreter (infra.migrations.child); None: ours."""
        return dataclasses.replace(self, python=python)

    def child(self) -> ProjectAlembic:
        """The project's Alembic in its interpreter (only with `python`)."""
        assert self.python is not None
        location = resolve_script_location(self.ini, Config(str(self.ini)).get_main_option("script_location"))
        return project_alembic(self.python, self.ini, location)

    def driver(self) -> Driver:
        """The driver the migrations run with (infra.migrations.driver): the user's choice, else what
        the tree names, else psycopg 3; HarnessError when its module is not installed here."""
        location = self.config().get_main_option("script_location") or ""
        found = self.chosen_driver or named_by_tree(self.ini, location) or Driver(DEFAULT, "default")
        return found if self.python is not None else require_installed(found)  # else: the child's

    def revisions(self) -> list[Revision]:
        """Every revision, parents before children (bases first; merges after all their parents;
        `depends_on` counted as a parent)."""
        if self.python is not None:
            found = self.child().ask({"cmd": "revisions"})["revisions"]
            return [
                Revision(r["id"], r["parents"][0] if r["parents"] else None, r["doc"], tuple(r["parents"]))
                for r in found
            ]
        script = self.script()
        parents: dict[str, tuple[str, ...]] = {}
        docs: dict[str, str] = {}
        walked = list(reversed(list(script.walk_revisions("base", "heads"))))
        for rev in walked:
            downs = rev.down_revision if isinstance(rev.down_revision, tuple | list) else (rev.down_revision,)
            deps = rev.dependencies if isinstance(rev.dependencies, tuple | list) else (rev.dependencies,)
            resolved = [script.get_revision(d) for d in deps if d]
            ids = [d for d in downs if d] + [r.revision for r in resolved if r is not None]
            parents[rev.revision] = tuple(dict.fromkeys(ids))
            docs[rev.revision] = (rev.doc or "").strip()
        ordered: list[str] = []
        placed: set[str] = set()

        def place(rev_id: str) -> None:
            if rev_id in placed:
                return
            placed.add(rev_id)
            for parent in parents[rev_id]:
                place(parent)
            ordered.append(rev_id)

        for rev in walked:
            place(rev.revision)
        return [Revision(r, parents[r][0] if parents[r] else None, docs[r], parents[r]) for r in ordered]

    def linear_history(self) -> list[Revision]:
        """Revisions from the first to the head; HarnessError when the history is not one line."""
        if self.python is not None:
            return self._line_from(self.revisions())
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
            ordered.append(Revision(rev.revision, down, (rev.doc or "").strip(), (down,) if down else ()))
        return list(reversed(ordered))

    def _line_from(self, revisions: list[Revision]) -> list[Revision]:
        heads = self.heads()
        if len(heads) != 1:
            raise HarnessError(f"{self.ini}: {len(heads)} heads ({', '.join(heads) or 'none'})")
        merge = next((r for r in revisions if r.is_merge), None)
        if merge is not None:
            raise HarnessError(f"revision {merge.id} merges {merge.parents}: this check needs a line")
        return revisions


def _mtime(script: ScriptDirectory) -> int:
    """Changes when a revision file is added or removed (a tree edited while the process runs)."""
    dirs = [Path(d) for d in script.version_locations or [str(Path(script.dir) / "versions")]]
    return sum(d.stat().st_mtime_ns for d in dirs if d.is_dir())


def _steps(script: ScriptDirectory, action: str, target: Target, current: Any) -> list[Any]:
    """What `alembic upgrade|downgrade target` runs from `current`, on the loaded tree."""
    try:
        if isinstance(target, Only):
            step = script.get_revision(target.revision)
            build = (
                MigrationStep.upgrade_from_script
                if action == "upgrade"
                else MigrationStep.downgrade_from_script
            )
            return [build(script.revision_map, step)]
        if action == "downgrade" and isinstance(target, tuple):  # Alembic takes one target there
            if len(target) > 1:
                raise RevisionError(f"downgrade to several heads {target}: take one revision at a time")
            target = target[0] if target else "base"
        if action == "upgrade":
            revs = reversed(list(script.iterate_revisions(target, current, implicit_base=True)))
            return [MigrationStep.upgrade_from_script(script.revision_map, s) for s in revs]
        revs = script.iterate_revisions(current, target, select_for_downgrade=True)
        return [MigrationStep.downgrade_from_script(script.revision_map, s) for s in revs]
    except RevisionError as exc:
        raise CommandError(str(exc)) from exc


Observe = Callable[[sa.Connection], AbstractContextManager[object]]


@contextmanager
def migrating_engine(tree: AlembicTree, engine: sa.Engine) -> Iterator[sa.Engine]:
    """`engine`, or an engine on the same database with the tree's driver (one connection per
    command, so nothing stays pooled on a database the harness drops)."""
    driver = tree.driver()
    if engine.url.drivername == driver.scheme:
        yield engine
        return
    other = sa.create_engine(migration_url(engine.url, driver), poolclass=sa.pool.NullPool)
    try:
        yield other
    finally:
        other.dispose()


def run(
    tree: AlembicTree, engine: sa.Engine, action: str, target: Target, observe: Observe | None = None
) -> float:
    """`alembic upgrade|downgrade target` on `engine`, through the tree's env.py; returns seconds taken.

    The connection is handed over outside any transaction, as the `alembic` CLI's own would be, so
    env.py and Alembic own the transactions: a revision using `op.get_context().autocommit_block()`
    (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE) runs here exactly as from the command line.
    Whatever is still open afterwards is committed; on an error it is rolled back. `observe`: a context
    around the command on its connection (the safety trace records each statement through it).

    The one place every migrating path goes through, so the one place that proves where the migration
    landed (infra.migrations.landed): env.py gets `config.attributes["connection"]` (a Connection; the
    Engine when env.py calls `.connect()` on it, as pytest-alembic's documented env.py does), a
    statement it sends to any other database is stopped, and afterwards the harness's version table
    must hold what the command moved to. ForeignDatabase (a HarnessError) otherwise."""
    if action not in ("upgrade", "downgrade"):
        raise ValueError(action)
    started = time.perf_counter()
    if tree.python is not None:  # the project's Alembic, in its interpreter, on the same database
        if observe is not None:  # the statements run in the child: nothing here could see them
            raise HarnessError(
                f"the safety trace needs the migrations to run in this process, not in {tree.python}",
                "trace without --python (install the project's dependencies beside the harness)",
            )
        url = migration_url(engine.url, tree.driver()).render_as_string(hide_password=False)
        wire = {"only": target.revision} if isinstance(target, Only) else target
        tree.child().ask({"cmd": "run", "action": action, "target": wire, "url": url})
        took = time.perf_counter() - started
        _verify_child(tree, engine, action, target)
        return took
    script = tree.script()
    steps: list[Any] = []
    version_table: tuple[str, str | None] | None = None
    destination = target.revision if isinstance(target, Only) else target

    def plan(rev: Any, _ctx: Any) -> list[Any]:
        steps[:] = _steps(script, action, target, rev)
        return steps

    with migrating_engine(tree, engine) as migrating:
        watch = landed.Watch(migrating, Path(script.dir) / "env.py")
        with migrating.connect() as conn:
            with watch.on(), observe(conn) if observe is not None else nullcontext():
                for handed in (conn, migrating):  # a Connection, else (env.py called .connect()) the Engine
                    cfg = tree.config(conn)
                    cfg.attributes["connection"] = handed
                    env = EnvironmentContext(cfg, script, fn=plan, destination_rev=destination)
                    try:
                        with env:
                            script.run_env()
                            version_table = landed.version_table(env)
                    except AttributeError as exc:
                        if handed is conn and watch.statements == 0 and landed.wants_engine(exc):
                            continue
                        _roll_back(conn)
                        raise
                    except BaseException:
                        _roll_back(conn)
                        raise
                    break
                if conn.in_transaction():
                    conn.commit()
            took = time.perf_counter() - started
            # read on the same connection
            landed.verify(watch, action, describe(target), steps, version_table, conn=conn)
    return took


def _roll_back(conn: sa.Connection) -> None:
    if not conn.closed and not conn.invalidated and conn.in_transaction():
        conn.rollback()


def _verify_child(tree: AlembicTree, engine: sa.Engine, action: str, target: Target) -> None:
    """After the project's own interpreter ran a command: the harness's database holds what it moved
    to (its `alembic_version`), else env.py migrated another database (ForeignDatabase)."""
    wanted = target.revision if isinstance(target, Only) else target
    if not isinstance(wanted, str) or wanted in ("head", "heads", "base") or "@" in wanted or "+" in wanted:
        return  # a symbolic target: the walk judges the state it left
    with engine.connect() as conn:
        found = landed.versions(conn, "alembic_version", None) or set()
    moved = wanted in found if action == "upgrade" else wanted not in found or not isinstance(target, Only)
    if not moved:
        env_py = tree.ini.parent / "env.py"
        detail = f"`{action} {describe(target)}` ran, but alembic_version of the harness's database holds "
        raise landed.ForeignDatabase(env_py, detail + (", ".join(sorted(found)) or "nothing"))


class Failed(Exception):
    """A command raised: `finding` says which revision and how."""

    def __init__(self, finding: Finding, cause: BaseException) -> None:
        super().__init__(finding.found)
        self.finding = finding
        self.cause = cause


def attempt(  # noqa: PLR0917 - the command, then how to report it
    tree: AlembicTree,
    engine: sa.Engine,
    action: str,
    target: Target,
    check_id: str,
    where: str,
    observe: Observe | None = None,
) -> float:
    """Run one command; anything the user's code raises becomes a Failed carrying a Finding that names
    the revision and the error (first line), never a traceback. NotImplementedError passes through: a
    downgrade raising it declares the revision irreversible; so does a HarnessError (the command did
    not run where the harness meant: nothing after it can be judged)."""
    try:
        return run(tree, engine, action, target, observe)
    except (NotImplementedError, HarnessError):
        raise
    except Exception as exc:
        first = mask_sql_secrets((str(exc).strip().splitlines() or [""])[0])
        finding = Finding(
            check_id, where, f"`{action} {describe(target)}` succeeds", f"{type(exc).__name__}: {first}"
        )
        raise Failed(finding, exc) from exc
