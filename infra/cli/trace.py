"""`python -m infra trace`: trace an Alembic upgrade statement by statement on a seeded throwaway
database and report the safety findings (locks, rewrites, scans); optionally contention and old code."""

from __future__ import annotations

import argparse
from pathlib import Path

from infra.cli import output
from infra.cli.schema import SERVER_LOST, alembic_tree, database_urls, dsn_secrets, server_lost, write_outputs
from infra.findings import Finding
from infra.migrations import history
from infra.migrations.tree import AlembicTree
from infra.progress import Progress
from infra.registry import all_checks
from infra.report import Report, Result
from infra.safety import oldcode, rules
from infra.safety.contention import CONTENTION, Contention
from infra.safety.report import markdown, trace_doc
from infra.safety.run import SafetyRun, contention_run, safety_run
from infra.stack.databases import scratch_engine, with_database


def _start_at_base_ref(tree: AlembicTree, base_ref: str) -> str:
    dirs = tree.version_dirs()
    repo = history.repo_root(dirs[-1])
    heads = history.heads({k: v for d in dirs for k, v in history.revisions_at(repo, base_ref, d).items()})
    return heads[0] if heads else "base"


def _pending(tree: AlembicTree, start: str | None, target: str) -> int:
    """How many revisions the upgrade from `start` to `target` applies."""
    try:
        return len(list(tree.script().iterate_revisions(target, start or "base", implicit_base=True)))
    except Exception:  # an unknown revision: the upgrade itself says so
        return 1


def nothing_traced(tree: AlembicTree, run: SafetyRun, checked: list[str]) -> list[Result]:
    """Every rule's result when no migration statement was traced: skipped when there was nothing to
    upgrade; an error (the setup's) when revisions were applied where the trace could not see them."""
    pending = _pending(tree, run.start, run.target)
    if not pending:
        why = f"no statement was traced: nothing to upgrade from {run.start} to {run.target}"
        return [Result(c, "skipped", why, str(tree.ini)) for c in checked]
    why = (
        f"no statement was traced, though {pending} revision(s) from {run.start} to {run.target} were "
        "applied: env.py ran them on an engine of its own; migrate config.attributes['connection']"
    )
    return [Result(c, "error", why, str(tree.ini)) for c in checked]


def contend_each(
    tree: AlembicTree, run: SafetyRun, args: argparse.Namespace, urls: tuple[str, str], cleaned: list[str]
) -> list[Contention]:
    """Per traced revision, on a fresh database: an application transaction on the first existing table
    it locks against writes, while the revision's upgrade runs."""
    dsn, url = urls
    found = []
    for rev in run.trace.revisions():
        tables = sorted(
            {lk.table for s in run.trace.of(rev) for lk in s.locks if lk.existing and lk.blocking}
        )
        for table in tables[:1]:
            down = tree.script().get_revision(rev).down_revision or "base"
            with (
                Progress().step(f"contention on {table} during {rev}"),
                scratch_engine(dsn, url, "contend", cleaned) as engine,
            ):
                name = str(engine.url.database)
                found.append(
                    contention_run(
                        tree, engine, with_database(dsn, name), rev, str(down), table, args.rows, args.hold
                    )
                )
    return found


def cmd_trace(args: argparse.Namespace) -> int:
    """Seed, trace, judge; exit 1 on any finding."""
    progress = Progress()
    tree = alembic_tree(args)
    start = _start_at_base_ref(tree, args.base) if args.base else args.start
    dsn, url = database_urls(args)
    report = Report("trace")
    findings: list[Finding] = []
    title = f"trace {start}..{args.target} on a throwaway database ({args.rows} rows per table)"
    cleaned: list[str] = []
    try:
        with progress.step(title), scratch_engine(dsn, url, "trace", cleaned) as engine:
            run = safety_run(tree, engine, start, args.target, args.rows)
            if args.base and args.models and run.trace.failed is None:
                db_url = engine.url.render_as_string(hide_password=False)
                repo = history.repo_root(tree.version_dirs()[-1])
                old, _ = oldcode.old_code_findings(repo, args.base, args.models, db_url)
                findings += old
    except SERVER_LOST as exc:
        lost = server_lost("the trace", exc)
        for check_id in rules.RULES:
            report.add(Result(check_id, "error", lost.message, str(tree.ini)))
        report.data.update({"start": start or "base", "target": args.target, "cluster_objects": cleaned})
        write_outputs(report.finish(), args, dsn_secrets(dsn))
        raise lost from None
    findings += run.findings
    contention = contend_each(tree, run, args, (dsn, url), cleaned) if args.contention else []
    findings += [f for c in contention for f in c.findings()]
    checked = [*rules.RULES]
    checked += [oldcode.OLD_CODE.id] if args.base and args.models else []
    checked += [CONTENTION.id] if args.contention else []
    traced = sum(1 for s in run.trace.statements if not s.bookkeeping)
    if not traced and run.trace.failed is None:
        for skipped in nothing_traced(tree, run, checked):
            report.add(skipped)
    else:
        for check_id in checked:
            report.add_findings(check_id, findings)
    for finding, why in run.suppressed:
        report.add(Result(finding.check_id, "passed", f"suppressed: {why.reason}", finding.where))
    report.data.update(
        {
            "start": run.start,
            "target": run.target,
            "seeded": {"rows": run.seeded.rows, "skipped": run.seeded.skipped},
            "statements_traced": traced,
            "cluster_objects": cleaned,
            "trace": trace_doc(run.trace),
            "contention": [vars(c) | {"probes": [vars(p) for p in c.probes]} for c in contention],
        }
    )
    secrets = dsn_secrets(dsn)
    explain = {c.id: c.why for c in all_checks().values()}
    write_outputs(report.finish(), args, secrets, explain=explain, tree=tree)
    per_revision = markdown(run.trace, findings)
    if args.markdown:
        with Path(args.markdown).open("a", encoding="utf-8") as out:
            out.write("\n" + per_revision)
    if output.chosen(args, "markdown") in ("text", "markdown"):
        print(per_revision.rstrip())
    return 0 if report.status in ("passed", "skipped") else 1
