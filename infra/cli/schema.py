"""CLI commands about the schema: the pre-merge round trip and the nightly convention audit."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from infra import config
from infra.audit import audit
from infra.audit import run as audit_run
from infra.catalog import snapshot
from infra.catalog.snapshot import libpq_url
from infra.compose.envfile import read_env_file
from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.migrations import premerge
from infra.migrations.checks import load_metadata
from infra.migrations.roundtrip import STEPWISE_ROUNDTRIP
from infra.migrations.tree import AlembicTree, run
from infra.progress import Progress
from infra.registry import all_checks
from infra.report import Report, Result, markdown_summary, now_iso
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
    report: Report, args: argparse.Namespace, secrets: list[str], explain: dict[str, str] | None = None
) -> None:
    doc = report.to_dict(secrets)
    text = json.dumps(doc, indent=2)
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(text + "\n", encoding="utf-8")
    summary = markdown_summary(doc, explain=explain or {c.id: c.why for c in all_checks().values()})
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(summary, encoding="utf-8")
    print(text if args.json else summary.rstrip())


def cmd_roundtrip(args: argparse.Namespace) -> int:
    """Upgrade from the base ref's head through the branch's new revisions, down again, compare."""
    progress = Progress()
    tree = alembic_tree(args)
    result = premerge.plan(tree, config.merge_base_ref(args.base))
    report = Report("roundtrip")
    dsn, url = database_urls(args) if not result.findings and result.new else ("", "")
    if dsn:
        with (
            progress.step(f"round trip of {len(result.new)} new revision(s) on a throwaway database"),
            scratch_engine(dsn, url, "roundtrip") as engine,
        ):
            premerge.execute(tree, engine, result, progress)
    for check_id in premerge.CHECK_IDS:
        report.add_findings(check_id, result.findings)
    if result.note:
        report.add(Result(STEPWISE_ROUNDTRIP.id, "passed", result.note))
    report.data.update(
        {
            "base_ref": result.base_ref,
            "base_head": result.base_head,
            "head": result.head,
            "database": url.split("@")[-1] if url else None,
            "revisions": [vars(t) for t in result.new],
            "diff": result.diff or None,
        }
    )
    secrets = [p for p in (dsn.split(":")[2].split("@")[0],) if p] if dsn else []
    write_outputs(report.finish(), args, secrets)
    return 0 if report.status == "passed" else 1


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
