"""`python -m infra trace`: trace an Alembic upgrade statement by statement on a seeded throwaway
database and report the safety findings (locks, rewrites, scans); optionally contention and old code."""

from __future__ import annotations

import argparse
from pathlib import Path

import sqlalchemy as sa

from infra.cli import output
from infra.cli.schema import alembic_tree, database_urls, url_secrets, write_outputs
from infra.findings import Finding
from infra.migrations import history
from infra.progress import Progress
from infra.registry import all_checks
from infra.report import Report, Result
from infra.safety import oldcode, rules
from infra.safety.contention import CONTENTION
from infra.safety.report import markdown, trace_doc
from infra.safety.run import contention_run, safety_run
from infra.stack.databases import scratch_database, scratch_engine, with_database


def _start_at_base_ref(tree_versions: Path, base_ref: str) -> str:
    repo = history.repo_root(tree_versions)
    heads = history.heads(history.revisions_at(repo, base_ref, tree_versions))
    return heads[0] if heads else "base"


def cmd_trace(args: argparse.Namespace) -> int:
    """Seed, trace, judge; exit 1 on any finding."""
    progress = Progress()
    tree = alembic_tree(args)
    versions = Path(tree.script().version_locations[-1])  # the tree's own (last) version location
    start = _start_at_base_ref(versions, args.base) if args.base else args.start
    dsn, url = database_urls(args)
    report = Report("trace")
    findings: list[Finding] = []
    title = f"trace {start}..{args.target} on a throwaway database ({args.rows} rows per table)"
    with progress.step(title), scratch_engine(dsn, url, "trace") as engine:
        run = safety_run(tree, engine, start, args.target, args.rows)
        if args.base and args.models and run.trace.failed is None:
            db_url = engine.url.render_as_string(hide_password=False)
            old, _ = oldcode.old_code_findings(history.repo_root(versions), args.base, args.models, db_url)
            findings += old
    findings += run.findings
    contention = []
    if args.contention:
        for rev in run.trace.revisions():
            tables = sorted(
                {lk.table for s in run.trace.of(rev) for lk in s.locks if lk.existing and lk.blocking}
            )
            for table in tables[:1]:
                down = tree.script().get_revision(rev).down_revision or "base"
                with (
                    progress.step(f"contention on {table} during {rev}"),
                    scratch_database(dsn, "contend") as name,
                ):
                    engine = sa.create_engine(with_database(url, name))
                    try:
                        result = contention_run(
                            tree,
                            engine,
                            with_database(dsn, name),
                            rev,
                            str(down),
                            table,
                            args.rows,
                            args.hold,
                        )
                    finally:
                        engine.dispose()
                contention.append(result)
                findings += result.findings()
    checked = [*rules.RULES]
    checked += [oldcode.OLD_CODE.id] if args.base and args.models else []
    checked += [CONTENTION.id] if args.contention else []
    for check_id in checked:
        report.add_findings(check_id, findings)
    for finding, why in run.suppressed:
        report.add(Result(finding.check_id, "passed", f"suppressed: {why.reason}", finding.where))
    if not run.trace.statements:
        report.add(Result(rules.upgrade_on_data.id, "skipped", "no statement was traced", str(tree.ini)))
    report.data.update(
        {
            "start": run.start,
            "target": run.target,
            "seeded": {"rows": run.seeded.rows, "skipped": run.seeded.skipped},
            "trace": trace_doc(run.trace),
            "contention": [vars(c) | {"probes": [vars(p) for p in c.probes]} for c in contention],
        }
    )
    secrets = url_secrets(dsn)
    explain = {c.id: c.why for c in all_checks().values()}
    write_outputs(report.finish(), args, secrets, explain=explain, tree=tree)
    per_revision = markdown(run.trace, findings)
    if args.markdown:
        with Path(args.markdown).open("a", encoding="utf-8") as out:
            out.write("\n" + per_revision)
    if output.chosen(args, "markdown") in ("text", "markdown"):
        print(per_revision.rstrip())
    return 0 if report.status == "passed" else 1
