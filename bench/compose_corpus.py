"""Precision and recall of the static compose rules on a corpus of real files, per rule.

    python bench/compose_corpus.py [--corpus DIR] [--dclint PATH/TO/dclint]

The corpus is third-party and lives outside the repository (default /work/corpus/compose):
`<project>/docker-compose.yml` (or the `file:` expected.yml names) per tests/compose/corpus/SOURCES.md. What
a reviewer flags in each file is tests/compose/corpus/expected.yml, written before the rules ran.
Findings match on (rule id, service). With --dclint, the same files go through dclint (npm) too:
time per file, and which expected problems its rules find. Exit 2 when no corpus file is found
(0 examined is no result), 1 when a rule is under 90% precision or misses a problem it claims.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

from infra.compose.lint import compose_files, lint
from infra.compose.policy import POLICIES
from infra.compose.rules import read_raw
from infra.compose.rules.exposure import rule_ports_loopback
from infra.compose.rules.hardening import rule_no_container_name
from infra.compose.rules.layout import rule_name_set, rule_no_version_key
from infra.compose.rules.pinning import rule_image_pinned

HERE = Path(__file__).resolve().parent.parent / "tests" / "compose" / "corpus"
# dclint rules that claim one of our problems; the rest are style (key order, quotes...).
DCLINT_EQUIVALENT = {
    "no-unbound-port-interfaces": rule_ports_loopback.id,
    "no-version-field": rule_no_version_key.id,
    "require-project-name-field": rule_name_set.id,
    "no-duplicate-container-names": rule_no_container_name.id,
    "service-image-require-explicit-tag": rule_image_pinned.id,
}

Key = tuple[str, str]  # (rule id, service or "-")


def expected_keys(project: dict, services: list[str]) -> set[Key]:
    keys = set()
    for rule, entries in (project.get("expect") or {}).items():
        names = services if entries == "all" else list(entries)
        keys |= {(f"compose.{rule}", name) for name in names}
    return keys


def score(found: set[Key], wanted: set[Key], table: dict[str, list[int]]) -> None:
    for rule in {k[0] for k in found | wanted}:
        f = {k for k in found if k[0] == rule}
        w = {k for k in wanted if k[0] == rule}
        counts = table.setdefault(rule, [0, 0, 0])
        counts[0] += len(f & w)
        counts[1] += len(f - w)
        counts[2] += len(w - f)


def run_dclint(dclint: str, path: Path) -> tuple[float, list[dict]]:
    start = time.perf_counter()
    proc = subprocess.run([dclint, "-f", "json", str(path)], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    reports = json.loads(proc.stdout or "[]")
    return elapsed, [m for r in reports for m in r.get("messages", [])]


def dclint_score(
    dclint: str, path: Path, wanted: set[Key], table: dict[str, list[int]], other: dict[str, int]
) -> float:
    """Score dclint's messages whose rule claims one of our problems; count the rest by rule."""
    elapsed, messages = run_dclint(dclint, path)
    theirs = set()
    for m in messages:
        rule = DCLINT_EQUIVALENT.get(m["rule"])
        if rule is None:
            other[m["rule"]] += 1
        else:
            theirs.add((rule, (m.get("data") or {}).get("serviceName") or "-"))
    score(theirs, {k for k in wanted if k[0] in DCLINT_EQUIVALENT.values()}, table)
    return elapsed


def print_table(table: dict[str, list[int]]) -> tuple[bool, list[int]]:
    """Per-rule precision and recall; whether a rule is under 90% precision or missed a problem."""
    print(f"{'rule':34} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>10} {'recall':>8}")
    failing = False
    totals = [0, 0, 0]
    for rule, (tp, fp, fn) in sorted(table.items()):
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        failing |= precision < 0.9 or fn > 0
        print(f"{rule:34} {tp:4} {fp:4} {fn:4} {precision:10.0%} {recall:8.0%}")
    tp, fp, fn = totals
    print(f"{'all rules':34} {tp:4} {fp:4} {fn:4} {tp / max(tp + fp, 1):10.0%} {tp / max(tp + fn, 1):8.0%}")
    return failing, totals


def print_dclint(
    dclint: str,
    *,
    paths: list[Path],
    per_file_ms: float,
    expected: int,
    table: dict[str, list[int]],
    other: dict[str, int],
) -> None:
    """dclint's time (per file, and per file in one run over all) and what its rules find."""
    start = time.perf_counter()
    subprocess.run([dclint, "-f", "json", *map(str, paths)], capture_output=True, check=False)
    batch_ms = 1000 * (time.perf_counter() - start) / len(paths)
    found, false = sum(v[0] for v in table.values()), sum(v[1] for v in table.values())
    claimed = sum(v[0] + v[2] for v in table.values())
    print(
        f"dclint: {per_file_ms:.0f} ms per file ({batch_ms:.0f} ms in one run); of the {expected} expected "
        f"problems it claims {claimed} (its rules cover {len(set(DCLINT_EQUIVALENT.values()))} of ours) and "
        f"finds {found}, with {false} false positives; {sum(other.values())} other messages (style): "
        + ", ".join(f"{k} {v}" for k, v in sorted(other.items(), key=lambda kv: -kv[1]))
    )
    for rule, (d_tp, d_fp, d_fn) in sorted(table.items()):
        print(f"  dclint as {rule}: {d_tp} found, {d_fp} false positives, {d_fn} missed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="/work/corpus/compose", help="corpus folder, outside the repo")
    parser.add_argument("--expected", default=str(HERE / "expected.yml"))
    parser.add_argument("--dclint", help="path to the dclint executable, to compare")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args()
    spec = yaml.safe_load(Path(args.expected).read_text(encoding="utf-8"))
    policy = POLICIES[spec.get("policy", "service")]
    table: dict[str, list[int]] = {}
    heldout: dict[str, list[int]] = {}  # files added after the rules were fixed
    dclint_table: dict[str, list[int]] = {}
    dclint_other: dict[str, int] = defaultdict(int)
    ours_s = theirs_s = 0.0
    examined = 0
    mismatches = []
    paths: list[Path] = []
    for name, project in spec["projects"].items():
        path = Path(args.corpus) / name / project.get("file", "docker-compose.yml")
        if not path.is_file():
            continue
        examined += 1
        paths.append(path)
        env_file = Path(args.corpus) / name / project["env_file"] if project.get("env_file") else None
        files = compose_files(path, env_file)
        services = sorted({s for r in read_raw(files) for s in r.services()})
        start = time.perf_counter()
        report = lint(files, policy)
        ours_s += time.perf_counter() - start
        found = {(j.finding.check_id, j.finding.service or "-") for j in report.findings}
        wanted = expected_keys(project, services)
        score(found, wanted, table)
        if project.get("heldout"):
            score(found, wanted, heldout)
        mismatches += [f"{name}: false positive {k}" for k in sorted(found - wanted)]
        mismatches += [f"{name}: missed {k}" for k in sorted(wanted - found)]
        if args.dclint:
            theirs_s += dclint_score(args.dclint, path, wanted, dclint_table, dclint_other)
    print(f"examined {examined} corpus files in {args.corpus} (policy {policy.name})")
    if not examined:
        print("no corpus: fetch the files listed in tests/compose/corpus/SOURCES.md", file=sys.stderr)
        return 2
    failing, (tp, _fp, fn) = print_table(table)
    if heldout:
        names = [n for n, p in spec["projects"].items() if p.get("heldout") and Path(args.corpus, n).is_dir()]
        print(f"\nheld out ({len(names)} files: {', '.join(names)}), apart:")
        print_table(heldout)
    if args.verbose or failing:
        print("\n".join(mismatches))
    print(f"ours: {1000 * ours_s / examined:.0f} ms per file (docker compose config included)")
    if args.dclint:
        per_file_ms = 1000 * theirs_s / examined
        print_dclint(
            args.dclint,
            paths=paths,
            per_file_ms=per_file_ms,
            expected=tp + fn,
            table=dclint_table,
            other=dclint_other,
        )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
