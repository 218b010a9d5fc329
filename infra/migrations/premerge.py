"""The pre-merge round trip: the branch's new revisions, applied on top of the base ref's head and
rolled back again, must leave the catalog identical and the data intact."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic.util.exc import CommandError

from infra.catalog import diff, snapshot
from infra.findings import Finding
from infra.migrations import history
from infra.migrations.checks import single_head_findings, upgrade_from_empty
from infra.migrations.data import capture_rows, data_findings
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP
from infra.migrations.seed import seed_orgs
from infra.migrations.tree import AlembicTree, run
from infra.progress import Progress

CHECK_IDS = (
    history.rewritten_findings.id,
    single_head_findings.id,
    upgrade_from_empty.id,
    STEPWISE_ROUNDTRIP.id,
    data_findings.id,
)


@dataclass
class RevisionTiming:
    id: str
    upgrade_s: float | None = None
    downgrade_s: float | None = None


@dataclass
class PremergeResult:
    base_ref: str
    base_head: str
    head: str
    new: list[RevisionTiming] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    diff: str = ""
    note: str = ""


def plan(tree: AlembicTree, base_ref: str) -> PremergeResult:
    """What the round trip has to do, from git alone: findings about the history, the new revisions."""
    versions = Path(tree.script().versions)
    repo = history.repo_root(versions)
    base = history.revisions_at(repo, base_ref, versions)
    current = history.revisions_in(versions)
    base_heads = history.heads(base)
    result = PremergeResult(base_ref, ", ".join(base_heads) or "base", "")
    result.findings += history.rewritten_findings(base, current, base_ref)
    result.findings += single_head_findings(tree)
    if len(base_heads) > 1:
        result.findings.append(
            Finding(
                single_head_findings.id,
                f"{base_ref}",
                "one head at the base ref",
                f"{len(base_heads)} heads: {', '.join(base_heads)}",
            )
        )
    if result.findings:
        return result
    line = tree.linear_history()
    result.head = line[-1].id if line else "base"
    ids = [r.id for r in line]
    start = ids.index(base_heads[0]) + 1 if base_heads else 0
    result.new = [RevisionTiming(r) for r in ids[start:]]
    if not result.new:
        result.note = f"no new revisions since {base_ref} (head {result.head})"
    return result


def _run(
    tree: AlembicTree, engine: sa.Engine, action: str, target: str, result: PremergeResult, *, check_id: str
) -> float | None:
    started = time.perf_counter()
    try:
        run(tree, engine, action, target)
    except (sa.exc.SQLAlchemyError, CommandError) as exc:
        first = str(exc).strip().splitlines()[0]
        result.findings.append(
            Finding(
                check_id, f"{action} to {target}", "the command succeeds", f"{type(exc).__name__}: {first}"
            )
        )
        return None
    return time.perf_counter() - started


def execute(
    tree: AlembicTree, engine: sa.Engine, result: PremergeResult, progress: Progress
) -> PremergeResult:
    """On the empty database behind `engine`: base head, snapshot, data, new head, back, compare, up again."""
    base_target = result.base_head
    with progress.step(f"upgrade to the base head {base_target}"):
        if _run(tree, engine, "upgrade", base_target, result, check_id=upgrade_from_empty.id) is None:
            return result
    with engine.begin() as conn:
        seed_orgs(conn)
    with engine.connect() as conn:
        before, rows_before = snapshot(conn), capture_rows(conn)
    for timing in result.new:
        progress.update(f"upgrade {timing.id}")
        timing.upgrade_s = _run(tree, engine, "upgrade", timing.id, result, check_id=upgrade_from_empty.id)
        if timing.upgrade_s is None:
            return result
    downs = {r.id: r.down or "base" for r in tree.linear_history()}
    for timing in reversed(result.new):
        progress.update(f"downgrade {timing.id}")
        timing.downgrade_s = _run(
            tree, engine, "downgrade", downs[timing.id], result, check_id=STEPWISE_ROUNDTRIP.id
        )
        if timing.downgrade_s is None:
            return result
    with engine.connect() as conn:
        after, rows_after = snapshot(conn), capture_rows(conn)
    changes = diff(before, after)
    where = f"revisions {result.new[0].id}..{result.new[-1].id} (down to {base_target})"
    if changes:
        result.diff = changes.render()
        result.findings.append(
            Finding(
                STEPWISE_ROUNDTRIP.id,
                where,
                f"the catalog of {base_target}",
                f"the catalog differs:\n{result.diff}",
                "make downgrade() undo exactly what upgrade() did",
            )
        )
    result.findings += data_findings(rows_before, rows_after, where)
    _run(tree, engine, "upgrade", "head", result, check_id=upgrade_from_empty.id)
    return result
