"""The nightly convention audit as a program: which database, the baseline, the report.

A baseline records known violations (rule id + object) so a team can adopt the audit on a legacy
schema and fail only on new ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

from infra.audit import RULES
from infra.catalog import CatalogSnapshot, snapshot
from infra.errors import HarnessError
from infra.findings import Finding
from infra.masking import mask_dsn
from infra.report import Report, Result, Status

BASELINE_FORMAT = "orderflow-audit-baseline"
BASELINE_VERSION = 1


def baseline_key(finding: Finding) -> str:
    return f"{finding.check_id} @ {finding.where}"


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    keys = sorted({baseline_key(f) for f in findings})
    doc = {"format": BASELINE_FORMAT, "version": BASELINE_VERSION, "violations": keys}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return len(keys)


def read_baseline(path: Path) -> set[str]:
    """Known violations; a file that is not one of ours is refused, naming the file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"baseline {path} does not exist", "create it with --write-baseline") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HarnessError(
            f"baseline {path} is not JSON ({exc})", "recreate it with --write-baseline"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != BASELINE_FORMAT:
        raise HarnessError(
            f'{path} is not an audit baseline (no "format": "{BASELINE_FORMAT}")',
            "pass a file written by `python -m infra audit --write-baseline`",
        )
    if doc.get("version") != BASELINE_VERSION or not isinstance(doc.get("violations"), list):
        raise HarnessError(
            f"baseline {path} has version {doc.get('version')!r}; this tool reads version {BASELINE_VERSION}",
            "recreate it with --write-baseline",
        )
    return {str(v) for v in doc["violations"]}


def read_catalog(url: str, schemas: Sequence[str] = ("public",)) -> tuple[CatalogSnapshot, list[str]]:
    """Snapshot `schemas` of a database in a read-only transaction (the audit never writes); and the
    other schemas holding tables (named when the audited ones hold none)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SET TRANSACTION READ ONLY"))
            return snapshot(conn, schemas), schemas_with_tables(conn, schemas)
    except (sa.exc.OperationalError, psycopg.OperationalError) as exc:
        reason = mask_dsn(" ".join(str(getattr(exc, "orig", exc)).split()))
        raise HarnessError(
            f"cannot connect to {mask_dsn(engine.url.render_as_string(hide_password=True))}: {reason}",
            "check --database-url, or start the stack with `python -m infra up`",
        ) from None
    finally:
        engine.dispose()


def schemas_with_tables(conn: sa.Connection, besides: Sequence[str]) -> list[str]:
    """User schemas other than `besides` that hold tables."""
    rows = conn.execute(
        sa.text(
            "SELECT DISTINCT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT LIKE 'pg\\_%' "
            "AND n.nspname <> 'information_schema' AND NOT n.nspname = ANY(:besides) ORDER BY 1"
        ),
        {"besides": list(besides)},
    )
    return [str(r[0]) for r in rows]


def nothing_to_audit(snap: CatalogSnapshot, schemas: Sequence[str], elsewhere: Sequence[str]) -> str | None:
    """Why the audit examined nothing (no table in the schemas read), or None when it has tables."""
    if snap.tables:
        return None
    others = f"; tables are in {', '.join(elsewhere)}: pass --schema NAME for each" if elsewhere else ""
    return f"no table to audit in schema(s) {', '.join(schemas)} (alembic_version aside){others}"


@dataclass
class AuditOutcome:
    findings: list[Finding]
    new: list[Finding]
    known: int


def judge(findings: list[Finding], baseline: set[str] | None) -> AuditOutcome:
    if baseline is None:
        return AuditOutcome(findings, findings, 0)
    new = [f for f in findings if baseline_key(f) not in baseline]
    return AuditOutcome(findings, new, len(findings) - len(new))


def audit_report(
    outcome: AuditOutcome,
    database: str,
    baseline: Path | None,
    started_at: str,
    nothing: str | None = None,
) -> Report:
    """Per rule: failed per new violation, skipped per known one, else passed; every rule skipped with
    `nothing` (the reason) when the database had nothing to audit."""
    report = Report("audit", started_at=started_at)
    new = {id(f) for f in outcome.new}
    for rule_id in RULES:
        if nothing:
            report.add(Result(rule_id, "skipped", nothing, database))
            continue
        mine = [f for f in outcome.findings if f.check_id == rule_id]
        for f in mine:
            status: Status = "failed" if id(f) in new else "skipped"
            note = "" if id(f) in new else " (known: in the baseline)"
            report.add(Result(rule_id, status, f"expected {f.expected}; found {f.found}{note}", f.where))
        if not mine:
            report.add(Result(rule_id, "passed"))
    counts = {rule_id: sum(f.check_id == rule_id for f in outcome.findings) for rule_id in RULES}
    report.data.update(
        {
            "database": database,
            "counts": counts,
            "baseline": {"file": str(baseline), "known": outcome.known, "new": len(outcome.new)}
            if baseline
            else None,
        }
    )
    return report.finish()


def rule_explanations() -> dict[str, str]:
    return {rule_id: f"{r.why} Fix: {r.fix}" for rule_id, r in RULES.items()}
