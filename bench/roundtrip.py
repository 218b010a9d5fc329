"""Benchmark: our stepwise round trip against pytest-alembic's four built-in tests, same history.

    .venv/bin/python bench/roundtrip.py [--runs 3] [--alembic-ini schema/alembic.ini]
                                        [--metadata schema.models:metadata]

Starts an isolated stack (offline images when no registry), then for each run:
- ours: single head + stepwise round trip (upgrade, catalog snapshot, downgrade, snapshot, compare,
  re-upgrade, compare) + autogenerate drift, in-process, on a fresh database;
- pytest-alembic: its four built-in tests (single head, upgrade, model match, up/down consistency)
  through its runner, each on a fresh database.
Prints seconds per revision for both and the ratio. pytest-alembic only checks that nothing raises;
ours also compares the whole catalog at every step.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pytest_alembic import tests as built_in
from pytest_alembic.config import Config
from pytest_alembic.runner import runner

from infra import config as knobs
from infra.config import HarnessConfig
from infra.migrations import drift
from infra.migrations.checks import PgCatalog, load_metadata, single_head_findings
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree
from infra.progress import Progress
from infra.stack import opener
from infra.stack.databases import scratch_engine
from infra.stack.endpoints import Endpoints
from infra.stack.isolation import isolated_project_name


def ours(tree: AlembicTree, endpoints: Endpoints, metadata_spec: str) -> float:
    metadata = load_metadata(metadata_spec)
    with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine:
        started = time.perf_counter()
        findings = single_head_findings(tree)
        steps = stepwise_roundtrip(tree, engine, PgCatalog())
        findings += drift.autogenerate_findings(engine, metadata, "bench")
        took = time.perf_counter() - started
    problems = findings + [f for s in steps for f in s.findings]
    if problems:
        raise SystemExit(f"our checks found problems, the benchmark needs a clean history: {problems[0]}")
    return took


def theirs(tree: AlembicTree, endpoints: Endpoints, metadata_spec: str) -> float:
    """pytest-alembic's four built-in tests, called through its runner (as its fixtures do), each on a
    fresh database as under pytest. In-process: its pytest plugin does not collect under pytest 9."""
    total = 0.0
    for test in (
        built_in.test_single_head_revision,
        built_in.test_upgrade,
        built_in.test_model_definitions_match_ddl,
        built_in.test_up_down_consistency,
    ):
        with scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine:
            started = time.perf_counter()
            with (
                engine.connect() as conn,
                runner(config=Config(config_options={"file": str(tree.ini)}), engine=conn) as alembic_runner,
            ):
                test(alembic_runner)
            total += time.perf_counter() - started
    return total


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--alembic-ini", help=f"default: env {knobs.ALEMBIC_INI_VAR}, else schema/alembic.ini"
    )
    parser.add_argument(
        "--metadata", help=f"default: env {knobs.METADATA_VAR}, else {knobs.DEFAULT_METADATA}"
    )
    args = parser.parse_args()
    args.metadata = knobs.metadata_spec(args.metadata)
    tree = AlembicTree(knobs.alembic_ini(args.alembic_ini))
    revisions = len(tree.linear_history())

    config = HarnessConfig.resolve()
    bench = isolated_project_name("orderflow-bench")
    with opener.open_stack(config, "auto", bench, isolated=True, progress=Progress(quiet=True)) as stack:
        endpoints = Endpoints(stack.env, stack.status())
        mine = [ours(tree, endpoints, args.metadata) for _ in range(args.runs)]
        other = [theirs(tree, endpoints, args.metadata) for _ in range(args.runs)]
    m, o = statistics.median(mine), statistics.median(other)
    print(f"history: {tree.ini} ({revisions} revision(s)); {args.runs} runs each; profile {stack.profile}")
    print(f"ours (stepwise catalog round trip + drift): {m:.3f}s total, {m / revisions:.3f}s per revision")
    print(f"pytest-alembic built-ins: {o:.3f}s total, {o / revisions:.3f}s per revision")
    print(f"ratio ours / pytest-alembic: {m / o:.2f}" if o else "pytest-alembic time not measurable")


if __name__ == "__main__":
    main()
