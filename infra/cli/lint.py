"""`python -m infra lint [FILE ...]`: the static compose rules without pytest, on any file.

Exit 0 when no finding has error severity under the policy, 1 otherwise (and on bad input, with one
line naming it). Output formats: docs/output.md.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from infra.cli import output
from infra.compose.lint import Judged, LintReport, compose_files, lint
from infra.compose.policy import POLICIES, project_policy
from infra.errors import HarnessError
from infra.findings import Location
from infra.report import Report, Result, now_iso


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="*", metavar="FILE", help="compose files (default ./docker-compose.yml)"
    )
    parser.add_argument("--env-file", help="the env file Compose would read (default: .env beside the file)")
    parser.add_argument(
        "--policy",
        choices=sorted(POLICIES),
        help="default: [tool.orderflow.lint] policy of the file's project, else service",
    )
    profiles = parser.add_mutually_exclusive_group()
    profiles.add_argument(
        "--profile",
        action="append",
        metavar="PROFILE",
        help="lint the services these Compose profiles enable (repeatable; default: every profile)",
    )
    profiles.add_argument(
        "--all-profiles", action="store_true", help="lint every service, whatever its profiles (the default)"
    )
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON report on stdout (= --format json)")
    out.add_argument("--markdown", action="store_true", help="a Markdown table (= --format markdown)")
    out.add_argument(
        "--format",
        choices=output.FORMATS,
        help="text (default), markdown, json (the report), sarif (SARIF 2.1.0), github (annotations)",
    )


def _location(judged: Judged) -> Location | None:
    """The finding's location with its path as a tool in the working directory names it."""
    loc = judged.location
    return dataclasses.replace(loc, path=output.relative_path(loc.path)) if loc and loc.path else loc


def _location_dict(judged: Judged) -> dict[str, Any] | None:
    loc = _location(judged)
    return {k: v for k, v in dataclasses.asdict(loc).items() if v is not None} if loc else None


def as_dict(report: LintReport) -> dict[str, object]:
    return {
        "files": [str(f) for f in report.files],
        "env_file": str(report.env_file) if report.env_file else None,
        "policy": report.policy,
        "services": report.services,
        "placeholders": list(report.placeholders),
        "behind_profiles": {name: list(p) for name, p in report.behind_profiles.items()},
        "not_linted": list(report.not_linted),
        "errors": report.errors,
        "findings": [
            {
                "severity": j.severity,
                "check_id": j.finding.check_id,
                "service": j.finding.service,
                "where": j.finding.where,
                "expected": j.finding.expected,
                "found": j.finding.found,
                "hint": j.finding.hint,
                "location": _location_dict(j),
            }
            for j in report.findings
        ],
        "excused": [
            {"check_id": f.check_id, "service": f.service, "where": f.where, "reason": e.reason}
            for f, e in report.excused
        ],
    }


def _header(report: LintReport) -> str:
    files = " + ".join(str(f) for f in report.files)
    env = f", env file {report.env_file}" if report.env_file else ", no env file"
    text = f"{files}{env}: {report.services} services, policy {report.policy}"
    if report.behind_profiles:
        hidden = ", ".join(f"{n} [{' '.join(p)}]" for n, p in sorted(report.behind_profiles.items()))
        text += f"; behind profiles (linted, not started by a plain `up`): {hidden}"
    if report.not_linted:
        text += f"; not linted (no chosen profile enables them): {', '.join(report.not_linted)}"
    if report.placeholders:
        text += (
            f"; placeholders for {', '.join(report.placeholders)} (unset `${{X:?}}`: Compose would refuse)"
        )
    return text


def as_text(report: LintReport) -> str:
    lines = [_header(report)]
    for j in report.findings:
        f = j.finding
        at = _location(j)
        lines += [
            f"  {j.severity:7} [{f.check_id}] {f.where}" + (f" ({at.describe()})" if at else ""),
            f"          expected: {f.expected}",
            f"          found:    {f.found}",
        ]
        if f.hint:
            lines.append(f"          hint:     {f.hint}")
    for f, e in report.excused:
        lines.append(f"  excused [{f.check_id}] {f.where}: {e.reason}")
    counts = {s: sum(1 for j in report.findings if j.severity == s) for s in ("error", "warning", "info")}
    lines.append(
        "  " + ", ".join(f"{n} {s}(s)" for s, n in counts.items()) + f", {len(report.excused)} excused"
    )
    return "\n".join(lines)


def as_markdown(report: LintReport) -> str:
    lines = [f"**{_header(report)}**", "", "| severity | check | where | found |", "|---|---|---|---|"]
    for j in report.findings:
        at = _location(j)
        where = j.finding.where + (f" ({at.describe()})" if at else "")
        found = j.finding.found.replace("|", "/")
        lines.append(f"| {j.severity} | `{j.finding.check_id}` | {where} | {found} |")
    return "\n".join(lines)


def shared_report(reports: list[LintReport], started_at: str) -> Report:
    """The lint in the shared report format: one failed result per finding (with its severity and
    location), one passed result per excused one; the per-file details beside them."""
    report = Report("lint", started_at=started_at)
    for r in reports:
        for j in r.findings:
            f = j.finding
            message = f"expected {f.expected}; found {f.found}" + (f" (hint: {f.hint})" if f.hint else "")
            severity = j.severity if j.severity in ("error", "warning", "info") else "error"
            report.add(Result(f.check_id, "failed", message, f.where, None, severity, _location(j)))  # type: ignore[arg-type]
        for f, e in r.excused:
            report.add(Result(f.check_id, "passed", f"excused: {e.reason}", f.where))
    files = [as_dict(r) for r in reports]
    report.data.update(files[0] if len(files) == 1 else {"linted": files})
    return report.finish()


def cmd_lint(args: argparse.Namespace) -> int:
    started_at = now_iso()
    paths = [Path(f) for f in args.files] or [Path("docker-compose.yml")]
    env_file = Path(args.env_file) if args.env_file else None
    reports: list[LintReport] = []
    for path in paths:
        if not path.exists():
            raise HarnessError(f"compose file {path} does not exist", "pass an existing file")
        policy = project_policy(path.resolve().parent, args.policy)
        profiles = None if args.all_profiles else args.profile
        reports.append(lint(compose_files(path, env_file), policy, profiles=profiles))
    fmt = output.chosen(args, default="markdown" if args.markdown else "text")
    machine = output.render(fmt, shared_report(reports, started_at).to_dict())
    if machine is not None:
        if machine:
            print(machine)
    else:
        render = as_markdown if fmt == "markdown" else as_text
        print("\n\n".join(render(r) for r in reports))
    return 1 if any(r.errors for r in reports) else 0
