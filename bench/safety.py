"""Benchmark and comparison for the migration-safety trace (figures, not tests).

    .venv/bin/python bench/safety.py overhead [--runs 5] [--rows 10000] [--database-url URL]
    .venv/bin/python bench/safety.py squawk [--corpus DIR ...] [--rows 1000] [--database-url URL]

overhead: for every example tree under tests/safety/examples (and each --corpus history), the same
upgrade on two fresh seeded databases, one plain, one traced; prints the medians and what tracing adds.
squawk: squawk (pip install squawk-cli) on each revision's offline SQL (`alembic upgrade A:B --sql`)
next to our trace of the same revisions; tabulates agreements, squawk-only and trace-only findings.
Without --database-url an isolated stack is started (offline images when no registry) and removed.
A corpus directory holds a history's versions/ (fetched outside the repository) and is named by a
bench/corpus/<name>.json giving its source and the findings we expected before running it.
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import io
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from infra.compose.model import load_model
from infra.config import REPO_ROOT, HarnessConfig
from infra.environ import child_env
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree
from infra.migrations.volume import seed
from infra.progress import Progress
from infra.safety.run import safety_run, traced_upgrade, upgrade
from infra.stack import profiles
from infra.stack.databases import scratch_engine
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_env, isolated_project_name
from infra.stack.lifecycle import Stack

EXAMPLES = REPO_ROOT / "tests" / "safety" / "examples"
ENV = REPO_ROOT / "bench" / "alembic_env"
CORPUS_NOTES = REPO_ROOT / "bench" / "corpus"
# squawk rule -> the trace rule that judges the same danger (None: no counterpart in the trace)
SQUAWK_TO_TRACE = {
    "require-concurrent-index-creation": "index-concurrently",
    "disallowed-unique-constraint": "index-concurrently",
    "constraint-missing-not-valid": "constraint-not-valid",
    "adding-foreign-key-constraint": "constraint-not-valid",
    "adding-not-nullable-field": "not-null-by-scan",
    "changing-column-type": "rewrite-under-lock",
    "adding-field-with-default": "rewrite-under-lock",
    "require-lock-timeout": "lock-timeout",
}


@dataclass(frozen=True)
class Case:
    name: str
    ini: Path  # a generated alembic.ini on bench/alembic_env
    start: str | None
    target: str


def _ini(tmp: Path, name: str, locations: list[str], one_transaction: bool) -> Path:
    path = tmp / f"{name}.ini"
    path.write_text(
        "[alembic]\n"
        f"script_location = {ENV}\n"
        f"version_locations = {' '.join(locations)}\n"
        "path_separator = space\n"
        f"one_transaction = {'true' if one_transaction else ''}\n"
    )
    return path


def example_cases(tmp: Path) -> list[Case]:
    cases = []
    for folder in sorted(p for p in EXAMPLES.iterdir() if (p / "alembic.ini").is_file()):
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(folder / "alembic.ini")
        section = parser["alembic"]
        locations = [loc.replace("%(here)s", str(folder)) for loc in section["version_locations"].split()]
        one = "_env_one_transaction" in section["script_location"]
        cases.append(Case(folder.name, _ini(tmp, folder.name, locations, one), "a2", "head"))
    return cases


def corpus_cases(tmp: Path, corpus: Path) -> list[Case]:
    """One case per revision of a linear public history, each from its down revision."""
    versions = next(p.parent for p in corpus.rglob("*.py") if p.parent.name == "versions")
    ini = _ini(tmp, corpus.name, [str(versions)], False)
    line = AlembicTree(ini).linear_history()
    return [Case(f"{corpus.name}:{r.id}", ini, r.down, r.id) for r in line]


@contextlib.contextmanager
def prepared(endpoints: Endpoints | _Url, case: Case, rows: int) -> Iterator[sa.Engine]:
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine:
        tree = AlembicTree(case.ini)
        if case.start:
            upgrade(tree, engine, case.start)
        with engine.begin() as conn:
            seed(conn, rows)
        yield engine


def _walk(tree: AlembicTree, engine: sa.Engine, case: Case) -> float:
    """The stepwise walk (up, snapshot, down, snapshot, up, snapshot per revision) of the same revisions."""
    line = tree.linear_history()
    ids = [r.id for r in line]
    first = ids.index(case.start) + 1 if case.start else 0
    last = ids.index(case.target) + 1 if case.target in ids else len(ids)
    started = time.perf_counter()
    walk = stepwise_roundtrip(tree, engine, revisions=line[first:last])
    took = time.perf_counter() - started
    return float("nan") if any(f for f in walk.findings if "succeeds" in f.expected) else took


def overhead(endpoints: Endpoints | _Url, cases: list[Case], runs: int, rows: int, walk: bool = True) -> None:
    """Plain upgrade, traced upgrade and the stepwise walk of the same revisions, each on a fresh seeded
    database; medians. Cases whose upgrade fails on the data (or whose walk cannot run) are left out."""
    sums = {"plain": 0.0, "traced": 0.0, "walk": 0.0}
    print("| case | plain s | traced s | added s | added / plain | walk s | added / walk |")
    print("|---|---|---|---|---|---|---|")
    for case in cases:
        tree = AlembicTree(case.ini)
        timings: dict[str, list[float]] = {"plain": [], "traced": [], "walk": []}
        for _ in range(runs):
            for kind in ("plain", "traced", "walk") if walk else ("plain", "traced"):
                with prepared(endpoints, case, rows) as engine:
                    if kind == "traced":
                        trace, seconds = traced_upgrade(tree, engine, case.target, case.start)
                        seconds = float("nan") if trace.failed else seconds
                    elif kind == "plain":
                        try:
                            seconds = upgrade(tree, engine, case.target)
                        except sa.exc.DBAPIError:
                            seconds = float("nan")
                    else:
                        seconds = _walk(tree, engine, case)
                    timings[kind].append(seconds)
        p, t, w = (statistics.median(timings[k] or [math.nan]) for k in ("plain", "traced", "walk"))
        if not math.isnan(p) and not math.isnan(t):
            sums["plain"] += p
            sums["traced"] += t
        if not math.isnan(w) and not math.isnan(p):
            sums["walk"] += w
        print(
            f"| {case.name} | {p:.3f} | {t:.3f} | {t - p:.3f} | {(t / p - 1) * 100:+.0f}% | {w:.3f} | "
            f"{(t - p) / w * 100:+.0f}% |"
        )
    added = sums["traced"] - sums["plain"]
    print(
        f"\ntotals ({runs} runs, median each; {rows} rows per table): plain {sums['plain']:.3f}s, traced "
        f"{sums['traced']:.3f}s: tracing adds {added:.3f}s = {added / sums['plain'] * 100:.0f}% of the plain "
        f"upgrade, {added / sums['walk'] * 100 if sums['walk'] else math.nan:.0f}% of the stepwise walk "
        f"({sums['walk']:.3f}s)"
    )


def offline_sql(case: Case) -> str:
    buffer = io.StringIO()
    cfg = Config(str(case.ini), output_buffer=buffer)
    command.upgrade(cfg, f"{case.start or 'base'}:{case.target}" if case.start else case.target, sql=True)
    return buffer.getvalue()


def squawk_rules(sql: str, squawk: str) -> set[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql)
    try:
        proc = subprocess.run(
            [squawk, "--reporter", "json", f.name], capture_output=True, text=True, check=False
        )
    finally:
        os.unlink(f.name)
    doc = json.loads(proc.stdout or "[]")
    return {v["rule_name"] for v in doc if v.get("level", "").lower() in ("warning", "error")}


def compare(endpoints: Endpoints, cases: list[Case], rows: int, expected: dict[str, list[str]]) -> None:
    squawk = shutil.which("squawk") or str(Path(sys.executable).with_name("squawk"))
    if not Path(squawk).exists():
        raise SystemExit("squawk is not installed. Hint: .venv/bin/pip install squawk-cli")
    totals = {"agree": 0, "squawk-only": 0, "trace-only": 0, "squawk, no trace counterpart": 0}
    print("| case | agree | squawk only | trace only | squawk rules with no trace counterpart |")
    print("|---|---|---|---|---|")
    for case in cases:
        sq = squawk_rules(offline_sql(case), squawk)
        with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine:
            run = safety_run(AlembicTree(case.ini), engine, case.start, case.target, rows)
        ours = {f.check_id.partition(".")[2] for f in run.findings}
        theirs = {SQUAWK_TO_TRACE[r] for r in sq if SQUAWK_TO_TRACE.get(r)}
        unmapped = sorted(r for r in sq if not SQUAWK_TO_TRACE.get(r))
        agree, s_only, t_only = ours & theirs, theirs - ours, ours - theirs
        totals["agree"] += len(agree)
        totals["squawk-only"] += len(s_only)
        totals["trace-only"] += len(t_only)
        totals["squawk, no trace counterpart"] += len(unmapped)
        print(
            f"| {case.name} | {', '.join(sorted(agree)) or '-'} | {', '.join(sorted(s_only)) or '-'} | "
            f"{', '.join(sorted(t_only)) or '-'} | {', '.join(unmapped) or '-'} |"
        )
        rev = case.name.partition(":")[2]
        if rev in expected and set(expected[rev]) != ours:
            print(f"|   expected {sorted(expected[rev])} | | | | |")
    print("\n" + ", ".join(f"{k}: {v}" for k, v in totals.items()))


@contextlib.contextmanager
def endpoints_for(url: str | None) -> Iterator[Endpoints | _Url]:
    if url:
        yield _Url(url)
        return
    config = HarnessConfig.resolve()
    env = isolated_env(config)
    profile = profiles.choose("auto", load_model(config.base_files(), env=child_env(env)))
    profiles.prepare(profile, Progress(quiet=True))
    with Stack(
        profile.files(config.base_files()),
        env,
        isolated_project_name("orderflow-bench"),
        profile.name,
        Progress(quiet=True),
    ) as stack:
        yield Endpoints(stack.env, stack.status())


@dataclass(frozen=True)
class _Url:
    url: str

    def postgres_dsn(self) -> str:
        return self.url.replace("postgresql+psycopg://", "postgresql://", 1)

    def postgres_url(self) -> str:
        return self.postgres_dsn().replace("postgresql://", "postgresql+psycopg://", 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["overhead", "squawk"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=None, help="rows per table (overhead 10000, squawk 1000)")
    parser.add_argument("--corpus", action="append", default=[], help="a fetched public history (its folder)")
    parser.add_argument("--no-examples", action="store_true", help="only the --corpus histories")
    parser.add_argument("--no-walk", action="store_true", help="overhead: skip the walk (slow on many rows)")
    parser.add_argument("--database-url", help="a PostgreSQL server to use instead of an isolated stack")
    args = parser.parse_args()
    expected: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp, endpoints_for(args.database_url) as endpoints:
        cases = [] if args.no_examples else example_cases(Path(tmp))
        for corpus in args.corpus:
            cases += corpus_cases(Path(tmp), Path(corpus))
            notes = CORPUS_NOTES / f"{Path(corpus).name}.json"
            if notes.is_file():
                expected |= json.loads(notes.read_text())["expected"]
        if args.what == "overhead":
            overhead(endpoints, cases, args.runs, args.rows or 10000, walk=not args.no_walk)  # type: ignore[arg-type]
        else:
            compare(endpoints, cases, args.rows or 1000, expected)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
