"""CLI commands about the schema: the pre-merge round trip and the nightly convention audit."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import psycopg
import sqlalchemy as sa
from psycopg.conninfo import conninfo_to_dict

from infra import config
from infra.audit import audit
from infra.audit import run as audit_run
from infra.catalog import snapshot
from infra.catalog.snapshot import libpq_url
from infra.cli import output
from infra.compose.envfile import read_env_file
from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.findings import Location
from infra.masking import Secret, mask, mask_dsn
from infra.migrations import driver, history, premerge
from infra.migrations.checks import load_metadata
from infra.migrations.locate import revision_location
from infra.migrations.policy import Policy, prepare_hook
from infra.migrations.policy import load as policy_load
from infra.migrations.tree import AlembicTree, run
from infra.migrations.walker import Traced
from infra.progress import Progress
from infra.registry import all_checks
from infra.report import Report, Result, markdown_summary, now_iso
from infra.safety import oldcode
from infra.safety.walk import WalkTrace
from infra.stack import checkouts
from infra.stack.databases import scratch_engine
from infra.stack.endpoints import SQLALCHEMY_DRIVER, postgres_url


def alembic_tree(args: argparse.Namespace) -> AlembicTree:
    """The tree, with the driver its migrations run with (--driver, ORDERFLOW_DRIVER, the policy)."""
    tree = AlembicTree(config.alembic_ini(args.alembic_ini))
    policy = migration_policy(tree, getattr(args, "migrations_config", None))
    chosen = driver.choose(config.driver(getattr(args, "driver", None)), policy.driver)
    python = getattr(args, "python", None)
    return tree.with_driver(chosen).with_python(Path(python) if python else None)


def given_urls(given: str) -> tuple[str, str]:
    """(libpq URL, SQLAlchemy URL) of a --database-url: a URL (port optional) or a libpq key=value DSN
    (`host=... user=... password=...`, turned into a URL so a scratch database can be named in it)."""
    dsn = libpq_url(given)
    try:
        params = {str(k): str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    except psycopg.ProgrammingError as exc:
        raise HarnessError(
            f"--database-url {mask_dsn(given)} is neither a PostgreSQL URL nor a key=value DSN: "
            f"{mask_dsn(' '.join(str(exc).split()))}",
            "pass e.g. postgresql://USER:PASSWORD@HOST:PORT/DATABASE or 'host=HOST user=USER dbname=DB'",
        ) from None
    if "://" not in dsn:
        host, port = params.pop("host", ""), params.pop("port", "")
        user, password = params.pop("user", ""), params.pop("password", "")
        if host.startswith("/"):  # a socket directory goes in the query, as libpq URLs spell it
            params["host"], host = host, ""
        userinfo = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "")
        netloc = f"{userinfo}@{host}" if userinfo else host
        netloc += f":{port}" if port else ""
        dsn = f"postgresql://{netloc}/{quote(params.pop('dbname', ''), safe='')}"
        dsn += f"?{urlencode(params)}" if params else ""
    return Secret(dsn), Secret(dsn.replace("postgresql://", f"{SQLALCHEMY_DRIVER}://", 1))


# The server went away mid-run (restarted, stopped): the driver's and SQLAlchemy's errors for it.
SERVER_LOST = (psycopg.OperationalError, sa.exc.OperationalError, sa.exc.InterfaceError)


def server_lost(during: str, exc: BaseException) -> HarnessError:
    reason = mask_dsn(" ".join(str(getattr(exc, "orig", None) or exc).split()))
    return HarnessError(
        f"lost the connection to PostgreSQL during {during}: {reason[:300]}",
        "is the server up (did it restart)? run again; the scratch database is dropped by the next run",
    )


def dsn_secrets(dsn: str) -> list[str]:
    """The password a DSN carries (userinfo, `?password=` or key=value), for masking every output."""
    try:
        password = conninfo_to_dict(dsn).get("password") if dsn else None
    except psycopg.ProgrammingError:
        return []
    return sorted({str(password), quote(str(password), safe="")}, key=len, reverse=True) if password else []


def database_urls(args: argparse.Namespace) -> tuple[str, str]:
    """(libpq URL for admin work, SQLAlchemy URL) from --database-url; else the stack of --project
    (or this checkout's own) from its saved state, the password in its password
    file; else the dev stack's .env."""
    if args.database_url:
        return given_urls(args.database_url)
    config = HarnessConfig.resolve(None, args.env_file)
    named = getattr(args, "project", None)
    project = checkouts.for_existing(config, named)
    if named or checkouts.has_state(config, project):
        return checkouts.database_urls(config, project)
    owner = checkouts.foreign_owner(config, project)
    if owner is not None:  # this checkout's .env would be tried against another checkout's server
        raise HarnessError(
            f"project {project} belongs to the checkout at {owner}; this checkout has no stack of its own",
            "start one with `python -m infra up` (it picks its own project), or pass --project or "
            "--database-url",
        )
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


def locate_results(report: Report, tree: AlembicTree | None) -> None:
    """Give each result a location: its revision file and line when `where` names a revision of
    `tree`, else `where` itself as a logical location (a table, a column, a constraint)."""
    for result in report.results:
        if result.location is None and result.where:
            found = revision_location(tree.script(), result.where) if tree is not None else None
            result.location = found or Location(logical=result.where)


def write_outputs(
    report: Report,
    args: argparse.Namespace,
    secrets: list[str],
    explain: dict[str, str] | None = None,
    details: str = "",
    *,
    tree: AlembicTree | None = None,
) -> None:
    """The JSON report and its Markdown summary (`details`, e.g. the per-revision trace tables, after
    it); stdout carries the format asked for (docs/output.md)."""
    locate_results(report, tree)
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
    machine = output.render(output.chosen(args, "markdown"), doc)
    if machine is None:
        print(summary.rstrip())
    elif machine:
        print(machine)


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
    cleaned: list[str] = []
    lost: HarnessError | None = None
    if dsn:
        try:
            with (
                progress.step(f"round trip of {len(result.new)} new revision(s) on a throwaway database"),
                scratch_engine(dsn, url, "roundtrip", cleaned) as engine,
            ):
                premerge.execute(tree, engine, result, progress, seed=args.seed)
                if args.old_code:
                    with progress.step("the base ref's models against the new head"):
                        old_code = premerge_old_code(tree, engine, result, args.models)
        except SERVER_LOST as exc:
            lost = server_lost("the round trip", exc)
    for item in [*premerge.results(result), *old_code]:
        report.add(item)
    if lost is not None:
        report.add(Result(premerge.STEPWISE, "error", lost.message))
    traced = {s.revision: s.traced for s in result.walk.steps} if result.walk else {}
    report.data.update(
        {
            "base_ref": result.base_ref,
            "base_head": result.base_head,
            "head": result.head,
            "database": mask_dsn(url.split("@")[-1]) if url else None,
            "revisions": [vars(t) | trace_fields(traced.get(t.id)) for t in result.new],
            "walk": result.walk.summary() if result.walk else None,
            "volume_rows": result.volume_rows,
            "cluster_objects": cleaned,
        }
    )
    secrets = dsn_secrets(dsn)
    details = "\n".join(t.markdown for t in traced.values() if t is not None and t.markdown)
    write_outputs(report.finish(), args, secrets, details=details, tree=tree)
    if lost is not None:
        raise lost
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
    repo = history.repo_root(tree.version_dirs()[-1])
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
    schemas = tuple(args.schemas or ("public",))
    dsn, url = database_urls(args)
    cleaned: list[str] = []
    if args.migrate:
        tree = alembic_tree(args)
        with (
            Progress().step("migrating a throwaway database to head"),
            scratch_engine(dsn, url, "audit", cleaned) as engine,
        ):
            try:
                run(tree, engine, "upgrade", "head")
                with engine.connect() as conn:
                    snap = snapshot(conn, schemas)
                    elsewhere = audit_run.schemas_with_tables(conn, schemas)
            except SERVER_LOST as exc:
                raise server_lost("the audit's migration", exc) from None
        where = f"a throwaway database migrated to head ({tree.ini})"
    else:
        snap, elsewhere = audit_run.read_catalog(url, schemas)
        where = mask_dsn(url.rsplit("@", 1)[-1])
    findings = audit(snap, naming)
    if args.write_baseline:
        count = audit_run.write_baseline(Path(args.write_baseline), findings)
        print(f"wrote {args.write_baseline}: {count} known violation(s)")
        return 0
    baseline = audit_run.read_baseline(Path(args.baseline)) if args.baseline else None
    outcome = audit_run.judge(findings, baseline)
    empty = audit_run.nothing_to_audit(snap, schemas, elsewhere)
    report = audit_run.audit_report(
        outcome, where, Path(args.baseline) if args.baseline else None, started_at, empty
    )
    report.data.update({"schemas": list(schemas), "cluster_objects": cleaned})
    write_outputs(report, args, dsn_secrets(dsn), explain=audit_run.rule_explanations())
    return 0 if not outcome.new else 1
