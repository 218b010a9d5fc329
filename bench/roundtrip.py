"""Benchmark: our stepwise walk against pytest-alembic's built-ins and its experimental
downgrade-leaves-no-trace test, on the same history and the same PostgreSQL server.

    .venv/bin/python bench/roundtrip.py [--runs 3] [--alembic-ini schema/alembic.ini]
        [--metadata schema.models:metadata] [--driver psycopg2] [--python PATH]
        [--migrations-config FILE] [--prepare SQL|module:attr]
        [--trace [--rows N]] [--only-ours]

Starts an isolated stack (offline images when no registry), then for each run, each on a fresh database:
- ours: the stepwise walk (upgrade, catalog snapshot and every row, downgrade, compare, re-upgrade,
  compare) over every revision, every table seeded with generated rows, in-process on one loaded tree;
- pytest-alembic built-ins: single head, upgrade, model match, up/down consistency (they check that
  nothing raises; the last also that downgrades run), through its runner;
- pytest-alembic experimental: test_downgrade_leaves_no_trace (autogenerate diffs per revision).
Prints seconds per revision for each, and what each found beside the timings: a history with findings
is measured like any other. A pytest-alembic test stops at its first failure: its time is divided by
the revisions it reached, and the stop is printed.

--trace: the walk also with the safety trace on each first upgrade (infra.safety.walk), runs
interleaved with the untraced walk on the same seeding, and the overhead in percent (the budget is
30%); with --rows N also both again with N volume rows per table (what the seeding size costs, apart
from the trace). --only-ours leaves pytest-alembic out.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pytest_alembic import tests as built_in
from pytest_alembic.config import Config
from pytest_alembic.runner import runner
from pytest_alembic.tests.experimental import test_downgrade_leaves_no_trace

from infra import config as knobs
from infra.config import HarnessConfig
from infra.migrations import driver
from infra.migrations import policy as migration_policy
from infra.migrations.checks import load_metadata
from infra.migrations.roundtrip import Walk, stepwise_roundtrip
from infra.migrations.tree import AlembicTree, resolve_script_location
from infra.progress import Progress
from infra.safety.walk import WalkTrace
from infra.stack import opener
from infra.stack.databases import scratch_engine
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_project_name

Prepare = Callable[[sa.Connection], None] | None


def ours(  # noqa: PLR0917 - the history, then the two knobs compared
    tree: AlembicTree,
    endpoints: Endpoints,
    rules: migration_policy.Policy,
    prepare: Prepare,
    trace: bool = False,
    rows: int = 0,
) -> tuple[float, Walk]:
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine:
        started = time.perf_counter()
        walk = stepwise_roundtrip(
            tree,
            engine,
            seed=0,
            policy=rules,
            prepare=prepare,
            trace=WalkTrace(tree) if trace else None,
            volume_rows=rows,
        )
        return time.perf_counter() - started, walk


def trace_overhead(  # noqa: PLR0917 - the history and the run's settings
    tree: AlembicTree,
    endpoints: Endpoints,
    rules: migration_policy.Policy,
    prepare: Prepare,
    runs: int,
    rows: int,
) -> None:
    """The walk untraced and traced, interleaved run by run on fresh databases; at the walk's own
    seeding, and with `rows` volume rows per table when given."""
    revisions = len(tree.revisions())
    for volume in [0, rows] if rows else [0]:
        plain, traced = [], []
        for _ in range(runs):
            plain.append(ours(tree, endpoints, rules, prepare, trace=False, rows=volume))
            traced.append(ours(tree, endpoints, rules, prepare, trace=True, rows=volume))
        a, b = statistics.median(s for s, _ in plain), statistics.median(s for s, _ in traced)
        walk = traced[-1][1]
        print(
            f"walk with {volume} volume row(s) per table: untraced {a:.2f}s ({a / revisions:.3f}s/rev), "
            f"traced {b:.2f}s ({b / revisions:.3f}s/rev): tracing adds {100 * (b - a) / a:+.1f}% "
            f"(runs: untraced {', '.join(f'{s:.2f}' for s, _ in plain)}; "
            f"traced {', '.join(f'{s:.2f}' for s, _ in traced)})"
        )
        print(f"  traced walk examined: {walk.summary()}")
        safety = [f for t in walk.traced for f in t.findings]
        print(
            f"  safety findings: {len(safety)}"
            + "".join(f"\n    [{f.check_id}] {f.where}" for f in safety[:40])
            + (f"\n    ... and {len(safety) - 40} more" if len(safety) > 40 else "")
        )


_VERSION_WRITE = re.compile(r"alembic_version.*?(?:version_num\s*=\s*|VALUES\s*\()'([^']+)'", re.S | re.I)


def _theirs(tree: AlembicTree, endpoints: Endpoints, prepare: Prepare, test: Any) -> tuple[float, int, str]:
    """One pytest-alembic test through its runner on a fresh database: seconds, revisions reached (the
    distinct revisions Alembic wrote into alembic_version, whatever the test did afterwards), outcome."""
    location = resolve_script_location(tree.ini, tree.config().get_main_option("script_location"))
    options = {"file": str(tree.ini), "script_location": location}
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine:
        if prepare is not None:
            with engine.begin() as conn:
                prepare(conn)
        started = time.perf_counter()
        outcome = "passed"
        written: set[str] = set()

        def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
            written.update(_VERSION_WRITE.findall(statement))

        with (
            engine.connect() as conn,
            runner(config=Config(config_options=options), engine=conn) as alembic_runner,
        ):
            sa.event.listen(conn, "before_cursor_execute", record)
            try:
                test(alembic_runner)
            except Exception as exc:
                outcome = f"stopped: {type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0][:160]}"
        took = time.perf_counter() - started
    total = len(tree.revisions())
    return took, len(written) if outcome != "passed" else total, outcome


def walked(walk: Walk) -> int:
    """Revisions the walk actually upgraded from their parents' state (not the unreached ones)."""
    return max(1, sum(1 for s in walk.steps if not s.status.startswith("not reached")))


def quarters(walk: Walk) -> str:
    """Seconds per revision over the first and the last quarter of the history (growth shows)."""
    steps = [s for s in walk.steps if not s.status.startswith("not reached")]
    size = max(1, len(steps) // 4)
    first, last = steps[:size], steps[-size:]
    mean = statistics.mean
    return (
        f"first quarter ({len(first)} rev) {mean(s.total_s for s in first):.3f}s/rev "
        f"(snapshots {mean(s.snapshot_s for s in first):.3f}), last quarter ({len(last)} rev) "
        f"{mean(s.total_s for s in last):.3f}s/rev (snapshots {mean(s.snapshot_s for s in last):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--alembic-ini", help=f"default: env {knobs.ALEMBIC_INI_VAR}, else schema/alembic.ini"
    )
    parser.add_argument("--metadata", help="the models (module:attr,module...), loaded before the tree")
    parser.add_argument("--driver", help="the migrations' DBAPI driver (default: what the tree names)")
    parser.add_argument("--python", help="the project's interpreter to run its Alembic in (ours only)")
    parser.add_argument("--migrations-config", help="pyproject-style TOML: irreversible revisions, prepare")
    parser.add_argument("--prepare", help="SQL file or module:attr run on each empty database first")
    parser.add_argument("--trace", action="store_true", help="also time the walk with the safety trace")
    parser.add_argument("--rows", type=int, default=0, help="with --trace: also with N volume rows per table")
    parser.add_argument("--only-ours", action="store_true", help="leave pytest-alembic's tests out")
    args = parser.parse_args()
    if args.metadata:  # the models first, as the plugin loads them (before any revision file)
        load_metadata(knobs.metadata_spec(args.metadata))
    tree = AlembicTree(knobs.alembic_ini(args.alembic_ini)).with_python(
        Path(args.python) if args.python else None
    )
    tree = tree.with_driver(driver.choose(knobs.driver(args.driver), None))
    revisions = len(tree.revisions())
    rules = migration_policy.load(Path(args.migrations_config) if args.migrations_config else None, tree.ini)
    prepare = migration_policy.prepare_hook(rules, args.prepare)

    config = HarnessConfig.resolve()
    bench = isolated_project_name("orderflow-bench")
    with opener.open_stack(config, "auto", bench, isolated=True, progress=Progress(quiet=True)) as stack:
        endpoints = Endpoints(stack.env, stack.status())
        print(
            f"history: {tree.ini} ({revisions} revision(s)); {args.runs} run(s) each; profile {stack.profile}"
        )
        if args.trace:
            trace_overhead(tree, endpoints, rules, prepare, args.runs, args.rows)
            if args.only_ours:
                return
        mine = [ours(tree, endpoints, rules, prepare) for _ in range(args.runs)]
        tests = (
            built_in.test_single_head_revision,
            built_in.test_upgrade,
            built_in.test_model_definitions_match_ddl,
            built_in.test_up_down_consistency,
        )
        builtins = {
            t.__name__: [_theirs(tree, endpoints, prepare, t) for _ in range(args.runs)]
            for t in ([] if args.only_ours else tests)
        }
        experimental = [
            _theirs(tree, endpoints, prepare, test_downgrade_leaves_no_trace)
            for _ in range(0 if args.only_ours else args.runs)
        ]

    walk = mine[-1][1]
    m = statistics.median(s for s, _ in mine)
    print(
        f"ours (stepwise walk: full catalog + seeded rows at every step): {m:.2f}s, "
        f"{m / walked(walk):.3f}s per revision walked ({walked(walk)}/{revisions})"
    )
    print(f"  per revision: {quarters(walk)}")
    print(f"  examined: {walk.summary()}")
    print(
        f"  findings: {len(walk.findings)}"
        + "".join(f"\n    [{f.check_id}] {f.where}" for f in walk.findings)
    )
    if args.only_ours:
        return
    total = 0.0
    for name, results in builtins.items():
        seconds = statistics.median(r[0] for r in results)
        total += seconds
        _, reached, outcome = results[-1]
        print(f"pytest-alembic {name}: {seconds:.2f}s over {reached} revision(s); {outcome}")
    print(f"pytest-alembic built-ins together: {total:.2f}s, {total / revisions:.3f}s per revision")
    seconds = statistics.median(r[0] for r in experimental)
    _, reached, outcome = experimental[-1]
    print(
        f"pytest-alembic experimental downgrade_leaves_no_trace: {seconds:.2f}s over {reached} revision(s), "
        f"{seconds / max(reached, 1):.3f}s per revision reached; {outcome}"
    )


if __name__ == "__main__":
    main()
