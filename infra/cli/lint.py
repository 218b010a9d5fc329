"""`python -m infra lint [FILE ...]`: the static compose rules without pytest, on any file.

Exit 0 when no finding has error severity under the policy, 1 otherwise (and on bad input, with one
line naming it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from infra.compose.lint import LintReport, compose_files, lint
from infra.compose.policy import POLICIES, project_policy
from infra.config import Project
from infra.errors import HarnessError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="compose files (default: [tool.orderflow] compose-file, else compose.yaml ... here)",
    )
    parser.add_argument("--env-file", help="the env file Compose would read (default: .env beside the file)")
    parser.add_argument(
        "--policy",
        choices=sorted(POLICIES),
        help="default: [tool.orderflow.lint] policy of the file's project, else service",
    )
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON report on stdout")
    out.add_argument("--markdown", action="store_true", help="a Markdown table on stdout")


def as_dict(report: LintReport) -> dict[str, object]:
    return {
        "files": [str(f) for f in report.files],
        "env_file": str(report.env_file) if report.env_file else None,
        "policy": report.policy,
        "services": report.services,
        "placeholders": list(report.placeholders),
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
    if report.placeholders:
        text += (
            f"; placeholders for {', '.join(report.placeholders)} (unset `${{X:?}}`: Compose would refuse)"
        )
    return text


def as_text(report: LintReport) -> str:
    lines = [_header(report)]
    for j in report.findings:
        f = j.finding
        lines += [
            f"  {j.severity:7} [{f.check_id}] {f.where}",
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
    lines += [
        f"| {j.severity} | `{j.finding.check_id}` | {j.finding.where} | {j.finding.found.replace('|', '/')} |"
        for j in report.findings
    ]
    return "\n".join(lines)


def cmd_lint(args: argparse.Namespace) -> int:
    paths = [Path(f) for f in args.files] or [Project.find().default_compose_file()]
    env_file = Path(args.env_file) if args.env_file else None
    reports: list[LintReport] = []
    for path in paths:
        if not path.exists():
            raise HarnessError(f"compose file {path} does not exist", "pass an existing file")
        policy = project_policy(path.resolve().parent, args.policy)
        reports.append(lint(compose_files(path, env_file), policy))
    if args.json:
        print(
            json.dumps([as_dict(r) for r in reports] if len(reports) > 1 else as_dict(reports[0]), indent=2)
        )
    else:
        render = as_markdown if args.markdown else as_text
        print("\n\n".join(render(r) for r in reports))
    return 1 if any(r.errors for r in reports) else 0
