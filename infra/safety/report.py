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


def _rows(st: Statement, trace: Trace) -> str:
    """Rows read by sequential scans, and the rows of each rewritten table (its estimate at the start)."""
    parts = [f"scanned {sum(st.scanned.values())}"] if st.scanned else []
    sizes = {r.name: r.rows for r in trace.start.relations.values()} if trace.start else {}
    rewritten = [max(sizes.get(name, -1.0), 0.0) for name in st.rewrites if name in sizes]
    if rewritten:
        parts.append(f"rewrote ~{int(max(rewritten))}")
    return ", ".join(parts) or "0"


def markdown(trace: Trace, findings: list[Finding], suppressed: dict[str, str] | None = None) -> str:
    """One table per revision: statement, locks and what they block, rewrite, duration, rows scanned or
    rewritten, findings (a suppressed one with the revision file's reason)."""
    excused = suppressed or {}
    lines: list[str] = []
    for rev in trace.revisions():
        lines += [
            f"### revision {rev}",
            "",
            "| # | statement | locks (blocks) | rewrite | ms | rows | findings |",
            "|---|---|---|---|---|---|---|",
        ]
        for st in trace.of(rev):
            if st.bookkeeping:
                continue
            held = "; ".join(
                f"{lk.mode} {lk.relation} ({locks.label(lk.mode)})" for lk in st.locks if lk.existing
            )
            prefix = f"revision {rev}, statement {st.index}:"
            mine = sorted(
                f.check_id + (f" (suppressed: {excused[f.where]})" if f.where in excused else "")
                for f in findings
                if f.where.startswith(prefix)
            )
            sql = st.short(60).replace("|", "\\|")
            failed = f" **failed**: {st.error[:80]}".replace("|", "\\|") if st.error else ""
            lines.append(
                f"| {st.index} | `{sql}`{failed} | {held or '-'} | {'yes' if st.rewrites else 'no'} | "
                f"{st.duration_s * 1000:.1f} | {_rows(st, trace)} | {', '.join(mine) or '-'} |"
            )
        lines.append("")
    return "\n".join(lines)
