"""The one report format of every `--json` (lint, status, checks, up, roundtrip, audit, trace): JSON
plus a Markdown summary; SARIF and GitHub annotations are made from it (infra.cli.output).

Documented in infra/report.schema.json and docs/output.md. Secrets never reach a report: callers
pass the env whose secret values are masked in every message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from infra import __version__
from infra.findings import Finding, Location
from infra.masking import mask

REPORT_VERSION = 2  # 2: results carry severity and location; lint, status and checks share the format
Status = Literal["passed", "failed", "skipped", "error"]
Severity = Literal["error", "warning", "info"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Result:
    check_id: str
    status: Status
    message: str = ""
    where: str = ""
    duration_s: float | None = None
    severity: Severity = "error"  # a failed warning or info does not fail the report
    location: Location | None = None

    @property
    def fails(self) -> bool:
        return self.status == "error" or (self.status == "failed" and self.severity == "error")


@dataclass
class Report:
    kind: str  # lint, status, checks, up, audit, roundtrip, trace
    started_at: str = field(default_factory=now_iso)
    finished_at: str = ""
    results: list[Result] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # kind-specific: profile, services, revisions...

    @property
    def status(self) -> Status:
        statuses = {r.status for r in self.results}
        if statuses == {"skipped"}:  # examined nothing: never a pass
            return "skipped"
        failing = {r.status for r in self.results if r.fails}
        return "error" if "error" in failing else "failed" if "failed" in failing else "passed"

    def add(self, result: Result) -> None:
        self.results.append(result)

    def add_findings(
        self,
        check_id: str,
        findings: Iterable[Finding],
        duration_s: float | None = None,
        severity: Severity = "error",
    ) -> None:
        """One result per finding for `check_id` (at `severity`), or one passed result when there are none."""
        found = [f for f in findings if f.check_id == check_id]
        for f in found:
            message = f"expected {f.expected}; found {f.found}"
            self.add(Result(check_id, "failed", message, f.where, duration_s, severity))
        if not found:
            self.add(Result(check_id, "passed", duration_s=duration_s))

    def finish(self) -> Report:
        self.finished_at = now_iso()
        return self

    def to_dict(self, secrets: Iterable[str] = ()) -> dict[str, Any]:
        doc = {
            "report_version": REPORT_VERSION,
            "tool": f"orderflow-infra {__version__}",
            "kind": self.kind,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at or now_iso(),
            **self.data,
            "results": [result_dict(r) for r in self.results],
        }
        return json.loads(mask(json.dumps(doc), list(secrets)))  # type: ignore[no-any-return]

    def to_json(self, secrets: Iterable[str] = ()) -> str:
        return json.dumps(self.to_dict(secrets), indent=2)


def result_dict(result: Result) -> dict[str, Any]:
    """A result as the schema has it: the location without its unset parts, or null."""
    doc = asdict(result)
    if result.location is not None:
        doc["location"] = {k: v for k, v in asdict(result.location).items() if v is not None}
    return doc


def cell(text: str) -> str:
    r"""Text safe inside a Markdown table cell: pipes escaped, line breaks as <br>, HTML escaped.

    >>> cell("a | b\n<c>")
    'a \\| b<br>&lt;c&gt;'
    """
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def _where(result: Mapping[str, Any]) -> str:
    """`where`, with the file and line a tool can jump to when the result has one."""
    location = result.get("location") or {}
    if not location.get("path"):
        return str(result["where"])
    at = ":".join(str(location[k]) for k in ("path", "line") if location.get(k))
    return f"{result['where']} ({at})"


def markdown_summary(doc: Mapping[str, Any], explain: Mapping[str, str] | None = None) -> str:
    """A Markdown summary for a CI job page: status, counts, then every failure with its context."""
    results = doc.get("results", [])
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    lines = [
        f"## orderflow {doc['kind']}: {doc['status']}",
        "",
        ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "no results",
        "",
    ]
    failed = [r for r in results if r["status"] in ("failed", "error")]
    if failed:
        lines += ["| check | where | problem |", "|---|---|---|"]
        lines += [f"| `{r['check_id']}` | {cell(_where(r))} | {cell(r['message'])} |" for r in failed]
        for check_id in sorted({r["check_id"] for r in failed}):
            if explain and check_id in explain:
                lines += ["", f"**{check_id}**: {explain[check_id]}"]
    return "\n".join(lines) + "\n"
