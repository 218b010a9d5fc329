"""How a command's report leaves the CLI: `--format json|markdown|sarif|github|text` (docs/output.md).

Every format is made from the one report (infra.report): JSON is the report itself, SARIF 2.1.0 and
GitHub workflow commands carry each failed result with its location. The report is masked before it
gets here (`Report.to_dict(secrets)`), so no format can show a secret the JSON would not.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from infra import __version__
from infra.findings import Location
from infra.registry import all_checks

FORMATS = ("text", "markdown", "json", "sarif", "github")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL = "orderflow-infra"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def add_format_argument(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    """`--format` (and `--json`, its old spelling, where the command had it)."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="what stdout carries: text (default), markdown, json (the report), sarif (SARIF 2.1.0), "
        "github (workflow annotations)",
    )
    if json_flag:
        parser.add_argument("--json", action="store_true", help="the JSON report on stdout (= --format json)")


def chosen(args: argparse.Namespace, default: str = "text") -> str:
    """The format asked for: --format, else --json, else `default`."""
    if getattr(args, "format", None):
        return str(args.format)
    return "json" if getattr(args, "json", False) else default


def relative_path(path: Path | str, root: Path | None = None) -> str:
    """A path as a tool in `root` (default: the working directory) names it: relative when under it."""
    path = Path(path)
    root = (root or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def location_of(doc: Mapping[str, Any]) -> Location | None:
    raw = doc.get("location")
    return Location(**raw) if isinstance(raw, Mapping) else None


def _failed(report: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in report.get("results", ()) if r["status"] in ("failed", "error")]


def _rule(check_id: str) -> dict[str, Any]:
    check = all_checks().get(check_id)
    rule: dict[str, Any] = {"id": check_id}
    if check is not None:
        rule["shortDescription"] = {"text": check.title}
        rule["fullDescription"] = {"text": check.why}
        if check.fix:
            rule["help"] = {"text": check.fix}
    return rule


def _sarif_result(result: Mapping[str, Any], rule_index: int) -> dict[str, Any]:
    where = result.get("where") or ""
    text = f"{where}: {result['message']}" if where and result.get("message") else result["message"] or where
    out: dict[str, Any] = {
        "ruleId": result["check_id"],
        "ruleIndex": rule_index,
        "level": "error" if result["status"] == "error" else _SARIF_LEVEL[result.get("severity", "error")],
        "message": {"text": text or result["check_id"]},
    }
    location = location_of(result)
    entry: dict[str, Any] = {}
    if location is not None and location.path:
        uri = Path(location.path).as_uri() if Path(location.path).is_absolute() else location.path
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if location.line:
            physical["region"] = {"startLine": location.line}
            if location.column:
                physical["region"]["startColumn"] = location.column
        entry["physicalLocation"] = physical
    logical = (location.logical if location else None) or where
    if logical:
        entry["logicalLocations"] = [{"fullyQualifiedName": logical}]
    if entry:
        out["locations"] = [entry]
    return out


def to_sarif(reports: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A SARIF 2.1.0 log with one run: every failed result of the reports, each rule described once
    (title, why, fix from the check's declaration)."""
    failed = [r for report in reports for r in _failed(report)]
    rule_ids = list(dict.fromkeys(r["check_id"] for r in failed))
    ok = all(report.get("status") != "error" for report in reports)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": __version__,
                        "rules": [_rule(i) for i in rule_ids],
                    }
                },
                "invocations": [{"executionSuccessful": ok}],
                "results": [_sarif_result(r, rule_ids.index(r["check_id"])) for r in failed],
            }
        ],
    }


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(reports: Sequence[Mapping[str, Any]]) -> list[str]:
    """One workflow command per failed result: `::error file=F,line=L,col=C,title=ID::message`."""
    lines = []
    for result in (r for report in reports for r in _failed(report)):
        level = "error" if result["status"] == "error" else _GITHUB_LEVEL[result.get("severity", "error")]
        props = []
        location = location_of(result)
        if location is not None and location.path:
            props.append(f"file={_escape_property(location.path)}")
            if location.line:
                props.append(f"line={location.line}")
                if location.column:
                    props.append(f"col={location.column}")
        props.append(f"title={_escape_property(result['check_id'])}")
        where = result.get("where") or ""
        message = f"{where}: {result['message']}" if where else result["message"]
        lines.append(f"::{level} {','.join(props)}::{_escape_data(message or result['check_id'])}")
    return lines


def render(fmt: str, report: Mapping[str, Any]) -> str | None:
    """The machine formats (json, sarif, github) of a (masked) report dict; None for text and
    markdown, which each command renders itself."""
    if fmt == "json":
        return json.dumps(report, indent=2)
    if fmt == "sarif":
        return json.dumps(to_sarif([report]), indent=2)
    if fmt == "github":
        return "\n".join(github_annotations([report]))
    return None
