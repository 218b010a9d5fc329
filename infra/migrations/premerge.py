"""The pre-merge round trip: the branch's new revisions, applied on top of the base ref's head and
rolled back again, must leave the catalog identical and the data intact. Each new revision is round
tripped on its own, so a finding names the revision that caused it; a branch that merges (main merged
into it, or two feature branches joined) is walked as a graph, the merge revision included. With a
trace hook, each new revision's upgrade is traced on the seeded tables and its safety findings are the
revision's too."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from infra.findings import Finding
from infra.migrations import history
from infra.migrations.checks import single_head_findings, upgrade_from_empty
from infra.migrations.coverage import coverage
from infra.migrations.dag import History
from infra.migrations.data import data_findings
from infra.migrations.policy import Policy, Prepare
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP, Step, TraceHook, Walk, stepwise_roundtrip
from infra.migrations.tree import AlembicTree, Failed, attempt
from infra.progress import Progress
from infra.report import Result

HISTORY, HEADS = history.rewritten_findings.check.id, single_head_findings.check.id
UPGRADE, STEPWISE, DATA = upgrade_from_empty.check.id, STEPWISE_ROUNDTRIP.id, data_findings.check.id
CHECK_IDS = (HISTORY, HEADS, UPGRADE, STEPWISE, DATA)


@dataclass
class RevisionTiming:
    id: str
    upgrade_s: float | None = None
    downgrade_s: float | None = None
    status: str = "not reached"


@dataclass
class PremergeResult:
    base_ref: str
    base_head: str
    head: str
    new: list[RevisionTiming] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    note: str = ""
    policy: Policy = field(default_factory=Policy)
    prepare: Prepare | None = None
    walk: Walk | None = None
    trace: TraceHook | None = None
    volume_rows: int = 0  # rows per table added for the trace (beside the generated ones)


def plan(tree: AlembicTree, base_ref: str, policy: Policy | None = None) -> PremergeResult:
    """What the round trip has to do, from git alone: findings about the history, the new revisions."""
    dirs = tree.version_dirs()  # every version location (a tree may have several)
    repo = history.repo_root(dirs[-1])
    base = {k: v for d in dirs for k, v in history.revisions_at(repo, base_ref, d).items()}
    current = {k: v for d in dirs for k, v in history.revisions_in(d).items()}
    base_heads = history.heads(base)
    result = PremergeResult(base_ref, ", ".join(base_heads) or "base", "", policy=policy or Policy())
    result.findings += history.rewritten_findings(base, current, base_ref)
    result.findings += single_head_findings(tree)
    if len(base_heads) > 1:
        result.findings.append(
            Finding(
                HEADS,
                f"{base_ref}",
                "one head at the base ref",
                f"{len(base_heads)} heads: {', '.join(base_heads)}",
            )
        )
    if result.findings:
        return result
    revisions = History(tree.revisions())
    result.head = ", ".join(tree.heads()) or "base"
    at_base = revisions.closure(r for r in base_heads if r in revisions.by_id)
    result.new = [RevisionTiming(r.id) for r in revisions.revisions if r.id not in at_base]
    if not result.new:
        result.note = f"no new revisions since {base_ref} (head {result.head})"
    return result


def execute(
    tree: AlembicTree, engine: sa.Engine, result: PremergeResult, progress: Progress, seed: int = 0
) -> PremergeResult:
    """On the empty database behind `engine`: upgrade to the base head, seed every table, then round trip
    each new revision on its own (the stepwise walk), so a finding names the revision that caused it."""
    base_target = result.base_head
    with progress.step(f"upgrade to the base head {base_target}"):
        if result.prepare is not None:
            with engine.begin() as conn:
                result.prepare(conn)
        try:
            attempt(
                tree,
                engine,
                "upgrade",
                base_target,
                UPGRADE,
                f"base head {base_target}",
            )
        except Failed as failed:
            result.findings.append(failed.finding)
            return result
    by_id = {r.id: r for r in tree.revisions()}
    timings = {t.id: t for t in result.new}

    def progressed(step: Step) -> None:
        progress.update(f"{step.revision}: {step.status}")
        timings[step.revision].upgrade_s = step.upgrade_s
        timings[step.revision].downgrade_s = step.downgrade_s or None

    result.walk = stepwise_roundtrip(
        tree,
        engine,
        seed=seed,
        revisions=[by_id[t.id] for t in result.new],
        policy=result.policy,
        on_step=progressed,
        trace=result.trace,
        volume_rows=result.volume_rows,
    )
    for step in result.walk.steps:
        timings[step.revision].status = step.status
    result.findings += result.walk.findings
    return result


def results(result: PremergeResult) -> list[Result]:
    """One result per check that ran: failed per finding, passed, or skipped with what it did not examine."""
    ran = result.walk
    out: list[Result] = []
    traced = result.trace.check_ids if result.trace is not None else ()
    for check_id in (*CHECK_IDS, *traced):
        found = [f for f in result.findings if f.check_id == check_id]
        out += [Result(check_id, "failed", f"expected {f.expected}; found {f.found}", f.where) for f in found]
        if found:
            continue
        if check_id in (HISTORY, HEADS):
            out.append(Result(check_id, "passed"))
        elif ran is None or ran.upgraded == 0:
            why = result.note or "the round trip did not run (see the failures above)"
            out.append(Result(check_id, "skipped", why))
        elif check_id in traced:
            statements = sum(t.statements for t in ran.traced)
            out.append(
                Result(check_id, "passed", ran.trace_summary())
                if statements
                else Result(check_id, "skipped", "no statement of the new revisions was traced")
            )
        elif check_id == UPGRADE:
            out.append(Result(check_id, "passed", f"{ran.upgraded} new revision(s) upgraded"))
        elif check_id == DATA and ran.seeded.rows == 0:
            out.append(Result(check_id, "skipped", f"no rows could be seeded: {ran.seeded.summary()}"))
        else:
            cov = coverage(ran, check_id)
            extra = ran.summary() if check_id == STEPWISE else ran.seeded.summary()
            complete = cov.examined and cov.complete
            why = f"{cov.line()}; {cov.why_not() or 'nothing examined'}; {extra}"
            out.append(
                Result(check_id, "passed", f"{cov.line()}; {extra}")
                if complete
                else Result(check_id, "skipped", why)
            )
    for step in ran.steps if ran is not None else []:
        for finding, reason in step.traced.suppressed if step.traced else []:
            out.append(Result(finding.check_id, "passed", f"suppressed: {reason}", finding.where))
    return out
