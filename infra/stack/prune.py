"""Remove what killed runs left: test stacks (orderflow-test-*) nobody is using, and orphaned state.

A test stack is removed when it belongs to this checkout (or has no containers left to tell) and no
live run holds its lease. Stacks of other checkouts and of runs still alive are kept, and said so.
Works on labels, so it needs neither the compose file nor the credentials.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from infra.environ import run_bounded
from infra.errors import HarnessError
from infra.stack import state
from infra.stack.databases import drop_abandoned_on_stack
from infra.stack.events import PROJECT_LABEL
from infra.stack.lifecycle import WORKING_DIR_LABEL
from infra.stack.ownership import inside_checkout, live_lease, other_checkout

TEST_PROJECT_PREFIX = "orderflow-test-"


def _docker(*args: str) -> list[str]:
    return run_bounded(["docker", *args], timeout=60).stdout.split()


def labelled(kind: str, fmt: str, label: str = PROJECT_LABEL) -> list[str]:
    """`docker <kind> ls` filtered by a label, one formatted value per object."""
    return _docker(
        kind, "ls", *(["-a"] if kind == "container" else []), "--filter", f"label={label}", "--format", fmt
    )


def remove_project(project: str, volumes: bool) -> list[str]:
    """Remove a project's containers and networks (and volumes when asked) by label; what was removed."""
    removed = []
    kinds = ["container", "network"] + (["volume"] if volumes else [])
    for kind in kinds:
        fmt = "{{.ID}}" if kind == "container" else "{{.Name}}"
        ids = labelled(kind, fmt, f"{PROJECT_LABEL}={project}")
        if ids:
            # -v: with the containers go their anonymous volumes (an image's VOLUME), like `down -v`
            force = {"container": ["-f", "-v"] if volumes else ["-f"], "volume": ["-f"], "network": []}[kind]
            run_bounded(["docker", kind, "rm", *force, *ids], timeout=120)
            removed.append(f"{len(ids)} {kind}(s)")
    return removed


@dataclass
class PruneResult:
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # "project: why"
    orphaned_state: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # one line each: a state file we could not read


def _load(state_dir: Path, project: str, result: PruneResult) -> tuple[bool, state.StackState | None]:
    """(readable, state); an unreadable state file is reported once and never stops the prune."""
    try:
        return True, state.load(state_dir, project)
    except HarnessError as exc:
        if exc.message not in result.unreadable:
            result.unreadable.append(exc.message)
        return False, None


def prune_test_stacks(state_dir: Path, checkout: Path, force: bool = False) -> PruneResult:
    """Remove test stacks of this checkout (its own folders included: the suite's scenario stacks)
    whose lease is dead; keep and say the rest. A corrupt state file is reported, never fatal."""
    result = PruneResult()
    fmt = f'{{{{.Label "{PROJECT_LABEL}"}}}}'
    found = {p for kind in ("container", "volume", "network") for p in labelled(kind, fmt)}
    dirs: dict[str, str] = {}
    for line in labelled("container", f'{fmt}|{{{{.Label "{WORKING_DIR_LABEL}"}}}}'):
        project, _, wd = line.partition("|")
        dirs.setdefault(project, wd)
    for project in sorted(p for p in found if p.startswith(TEST_PROJECT_PREFIX)):
        readable, saved = _load(state_dir, project, result)
        if not readable and not force:
            result.kept.append(f"{project}: its state file is unreadable (see above)")
            continue
        holder = live_lease(saved, me=-1)
        where = dirs.get(project)
        other = None if inside_checkout(where, checkout) else other_checkout(where, checkout)
        if other and not force:
            result.kept.append(f"{project}: belongs to the checkout at {other}")
            continue
        if holder is None and where and where != str(checkout):  # its own state dir, if it kept one
            holder = live_lease(_load(Path(where) / state_dir.name, project, result)[1], me=-1)
        if holder and not force:
            result.kept.append(f"{project}: in use by {holder}")
            continue
        if project not in dirs and saved is None and not force:
            result.kept.append(f"{project}: volumes only, owner unknown (--force removes them)")
            continue
        remove_project(project, volumes=True)
        state.remove(state_dir, project)
        result.removed.append(project)
    for project in state.saved_projects(state_dir):
        readable, saved = _load(state_dir, project, result)
        if readable and project not in found and live_lease(saved, me=-1) is None:
            state.remove(state_dir, project)
            result.orphaned_state.append(project)
        elif saved is not None:  # a stack still there: its scratch databases of killed runs go
            result.removed += [f"{project}: scratch database {n}" for n in drop_abandoned_on_stack(saved.env)]
    return result
