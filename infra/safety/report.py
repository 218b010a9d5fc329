"""The trace in a report: JSON carries every statement; Markdown a table per revision."""

from __future__ import annotations

from typing import Any

from infra.findings import Finding
from infra.safety import locks
from infra.safety.trace import Statement, Trace


def statement_doc(st: Statement) -> dict[str, Any]:
    return {
        "index": st.index,
        "revision": st.revision,
        "sql": st.sql,
        "transaction": st.transaction,
        "in_transaction": st.in_transaction,
        "bookkeeping": st.bookkeeping,
        "duration_s": round(st.duration_s, 6),
        "lock_timeout": st.lock_timeout,
        "statement_timeout": st.statement_timeout,
        "locks": [
            {"relation": lk.relation, "mode": lk.mode, "blocks": list(lk.blocks), "existing": lk.existing}
            for lk in st.locks
        ],
        "rewrites": st.rewrites,
        "rows_scanned": st.scanned,
        "new_indexes": [i for i, _ in st.new_indexes],
        "new_constraints": [
            {"name": n, "kind": k, "table": t, "valid": v} for n, k, t, v in st.new_constraints
        ],
        "set_not_null": st.set_not_null,
        "error": st.error,
    }


def trace_doc(trace: Trace) -> dict[str, Any]:
    return {"failed": trace.failed, "statements": [statement_doc(s) for s in trace.statements]}


def markdown(trace: Trace, findings: list[Finding]) -> str:
    """One table per revision: statement, locks and what they block, rewrite, rows, duration, findings."""
    lines: list[str] = []
    for rev in trace.revisions():
        lines += [
            f"### revision {rev}",
            "",
            "| # | statement | locks | rewrite | rows | ms | findings |",
            "|---|---|---|---|---|---|---|",
        ]
        for st in trace.of(rev):
            if st.bookkeeping:
                continue
            held = "; ".join(
                f"{lk.mode} {lk.relation} ({locks.label(lk.mode)})" for lk in st.locks if lk.existing
            )
            mine = sorted(
                {f.check_id for f in findings if f.where.startswith(f"revision {rev}, statement {st.index}:")}
            )
            sql = st.short(60).replace("|", "\\|")
            lines.append(
                f"| {st.index} | `{sql}` | {held or '-'} | {'yes' if st.rewrites else 'no'} | "
                f"{sum(st.scanned.values())} | {st.duration_s * 1000:.1f} | {', '.join(mine) or '-'} |"
            )
        lines.append("")
    return "\n".join(lines)
