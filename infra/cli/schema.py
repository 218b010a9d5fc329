"""CLI commands about the schema: the pre-merge round trip and the nightly convention audit."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from infra import config
from infra.audit import audit
from infra.audit import run as audit_run
from infra.catalog import snapshot
from infra.catalog.snapshot import libpq_url
from infra.compose.envfile import read_env_file
from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.masking import mask
from infra.migrations import history, premerge
from infra.migrations.checks import load_metadata
from infra.migrations.policy import Policy, prepare_hook
from infra.migrations.policy import load as policy_load
from infra.migrations.tree import AlembicTree, run
from infra.migrations.walker import Traced
from infra.progress import Progress
from infra.registry import all_checks
from infra.report import Report, Result, markdown_summary, now_iso
from infra.safety import oldcode
from infra.safety.walk import WalkTrace
from infra.stack.databases import scratch_engine
from infra.stack.endpoints import SQLALCHEMY_DRIVER, postgres_url


def alembic_tree(args: argparse.Namespace) -> AlembicTree:
    return AlembicTree(config.alembic_ini(args.alembic_ini))


def database_urls(args: argparse.Namespace) -> tuple[str, str]:
    """(libpq URL for admin work, SQLAlchemy URL) from --database-url, else the dev stack's .env."""
    if args.database_url:
        dsn = libpq_url(args.database_url)
        return dsn, dsn.replace("postgresql://", f"{SQLALCHEMY_DRIVER}://", 1)
    config = HarnessConfig.resolve(None, args.env_file)
    if config.env_is_template:
        raise HarnessError(
            "no database given and no .env for the dev stack",
            "pass --database-url, or start the stack with `python -m infra up`",
        )
    env = read_env_file(config.env_file)
    missing = [
        k for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_PORT") if not env.get(k)
    ]
    if missing:
        raise HarnessError(
            f"{', '.join(missing)} missing in {config.env_file}", "set them, or pass --database-url"
        )
    port = int(env["POSTGRES_PORT"])
    return postgres_url(env, "127.0.0.1", port, driver="postgresql"), postgres_url(env, "127.0.0.1", port)


def write_outputs(
    report: Report,
    args: argparse.Namespace,
    secrets: list[str],
    explain: dict[str, str] | None = None,
    details: str = "",
) -> None:
    """The JSON report and its Markdown summary (`details`, e.g. the per-revision trace tables, after it)."""
    doc = report.to_dict(secrets)
    text = json.dumps(doc, indent=2)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    summary = markdown_summary(doc, explain=explain or {c.id: c.why for c in all_checks().values()})
    summary += f"\n{mask(details, secrets)}" if details else ""
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(summary, encoding="utf-8")
    print(text if args.json else summary.rstrip())


def cmd_roundtrip(args: argparse.Namespace) -> int:
    """Upgrade from the base ref's head through the branch's new revisions, each down and up again;
    trace each first upgrade (safety rules) and run the base ref's models against the new head."""
    progress = Progress()
    tree = alembic_tree(args)
    policy = migration_policy(tree, args.migrations_config)
    result = premerge.plan(tree, config.merge_base_ref(args.base), policy)
    result.prepare = prepare_hook(policy, args.prepare)
    result.trace = WalkTrace(tree) if args.trace else None
    result.volume_rows = args.rows if args.trace else 0
    report = Report("roundtrip")
    dsn, url = database_urls(args) if not result.findings and result.new else ("", "")
    old_code: list[Result] = []
    if dsn:
        with (
            progress.step(f"round trip of {len(result.new)} new revision(s) on a throwaway database"),
            scratch_engine(dsn, url, "roundtrip") as engine,
        ):
            premerge.execute(tree, engine, result, progress, seed=args.seed)
            if args.old_code:
                with progress.step("the base ref's models against the new head"):
                    old_code = premerge_old_code(tree, engine, result, args.models)
    for item in [*premerge.results(result), *old_code]:
        report.add(item)
    traced = {s.revision: s.traced for s in result.walk.steps} if result.walk else {}
    report.data.update(
        {
            "base_ref": result.base_ref,
            "base_head": result.base_head,
            "head": result.head,
            "database": url.split("@")[-1] if url else None,
            "revisions": [vars(t) | trace_fields(traced.get(t.id)) for t in result.new],
            "walk": result.walk.summary() if result.walk else None,
            "volume_rows": result.volume_rows,
        }
    )
    secrets = [p for p in (dsn.split(":")[2].split("@")[0],) if p] if dsn else []
    details = "\n".join(t.markdown for t in traced.values() if t is not None and t.markdown)
    write_outputs(report.finish(), args, secrets, details=details)
    return 0 if report.status == "passed" else 1


def trace_fields(traced: Traced | None) -> dict[str, Any]:
    """A revision's trace in the JSON report: every statement, and the findings per statement."""
    if traced is None:
        return {"trace": None}
    return {
        "trace": traced.doc,
        "safety_findings": [asdict(f) for f in traced.findings],
        "suppressed": [asdict(f) | {"reason": why} for f, why in traced.suppressed],
    }


def premerge_old_code(
    tree: AlembicTree, engine: sa.Engine, result: premerge.PremergeResult, models: str | None
) -> list[Result]:
    """The old-code check (infra.safety.oldcode) on the database the walk left at the new head: failed
    per table and column, passed with the tables exercised, or skipped with why (the walk did not end
    at the head; the default models do not exist at the base ref)."""
    check = oldcode.OLD_CODE.id
    with engine.connect() as conn:
        at = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if result.walk is None or at != result.head:
        return [Result(check, "skipped", f"the walk did not end at the head {result.head} (at {at})")]
    repo = history.repo_root(Path(tree.script().versions))
    try:
        spec = models or config.metadata_spec(start=repo)
        found, tables = oldcode.old_code_findings(
            repo, result.base_ref, spec, engine.url.render_as_string(hide_password=False)
        )
    except HarnessError as exc:
        if models:
            raise
        return [Result(check, "skipped", f"{exc.message}; pass --models for the base ref's models")]
    if found:
        return [Result(check, "failed", f"expected {f.expected}; found {f.found}", f.where) for f in found]
    exercised = f"{len(tables)} table(s) written and read by {spec} at {result.base_ref}"
    return [Result(check, "passed", exercised)]


def migration_policy(tree: AlembicTree, explicit: str | None) -> Policy:
    return policy_load(config.migrations_config(explicit), tree.ini)


def cmd_audit(args: argparse.Namespace) -> int:
    """The convention audit of a database (the dev stack's by default), against schema/CONVENTIONS.md."""
    started_at = now_iso()
    naming = dict(load_metadata(config.metadata_spec(args.metadata)).naming_convention)
    dsn, url = database_urls(args)
    if args.migrate:
        tree = alembic_tree(args)
        with (
            Progress().step("migrating a throwaway database to head"),
            scratch_engine(dsn, url, "audit") as engine,
        ):
            run(tree, engine, "upgrade", "head")
            with engine.connect() as conn:
                snap = snapshot(conn)
        where = f"a throwaway database migrated to head ({tree.ini})"
    else:
        snap = audit_run.read_catalog(url)
        where = url.rsplit("@", 1)[-1]
    findings = audit(snap, naming)
    if args.write_baseline:
        count = audit_run.write_baseline(Path(args.write_baseline), findings)
        print(f"wrote {args.write_baseline}: {count} known violation(s)")
        return 0
    baseline = audit_run.read_baseline(Path(args.baseline)) if args.baseline else None
    outcome = audit_run.judge(findings, baseline)
    report = audit_run.audit_report(
        outcome, where, Path(args.baseline) if args.baseline else None, started_at
    )
    write_outputs(report, args, [], explain=audit_run.rule_explanations())
    return 0 if not outcome.new else 1
