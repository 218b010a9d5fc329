"""Benchmark: our stepwise round trip against pytest-alembic's four built-in tests, same history.

    .venv/bin/python bench/roundtrip.py [--runs 3] [--alembic-ini schema/alembic.ini]
                                        [--metadata schema.models:metadata]

Starts an isolated stack (offline images when no registry), then for each run:
- ours: single head + stepwise round trip (upgrade, catalog snapshot, downgrade, snapshot, compare,
  re-upgrade, compare) + autogenerate drift, in-process, on a fresh database;
- pytest-alembic: `pytest --test-alembic` (single head, upgrade, model match, up/down consistency)
  in a subprocess, minus the same pytest's start-up on an empty test file.
Prints seconds per revision for both and the ratio. pytest-alembic only checks that nothing raises;
ours also compares the whole catalog at every step.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from infra import profile as profiles
from infra.compose_model import load_model
from infra.config import REPO_ROOT, HarnessConfig, isolated_project_name
from infra.databases import scratch_engine
from infra.endpoints import Endpoints
from infra.migrations import drift
from infra.migrations.checks import PgCatalog, load_metadata, single_head_findings
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree
from infra.progress import Progress
from infra.stack import Stack

CONFTEST = """
import pytest
import sqlalchemy as sa
from pytest_alembic.config import Config


@pytest.fixture
def alembic_config():
    return Config(config_options={{"file": {ini!r}}})


@pytest.fixture
def alembic_engine():
    engine = sa.create_engine({url!r}, poolclass=sa.pool.NullPool)
    yield engine
    engine.dispose()
"""


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


def pytest_run(folder: Path, args: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "--rootdir",
            str(folder),
            "-c",
            os.devnull,
            *args,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.perf_counter() - started
    if proc.returncode not in (0, 5):
        raise SystemExit(f"pytest-alembic run failed:\n{proc.stdout[-2000:]}")
    return took


def theirs(tree: AlembicTree, endpoints: Endpoints, metadata_spec: str) -> float:
    with (
        scratch_engine(endpoints.postgres_dsn(), endpoints.postgres_url(), "bench") as engine,
        tempfile.TemporaryDirectory() as tmp,
    ):
        folder = Path(tmp)
        url = engine.url.render_as_string(hide_password=False)
        (folder / "conftest.py").write_text(textwrap.dedent(CONFTEST.format(ini=str(tree.ini), url=url)))
        (folder / "test_empty.py").write_text("def test_nothing():\n    pass\n")
        baseline = pytest_run(folder, ["-p", "pytest_alembic", "test_empty.py"])
        full = pytest_run(folder, ["-p", "pytest_alembic", "--test-alembic", "-k", "not nothing"])
        return max(full - baseline, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--alembic-ini", default=str(REPO_ROOT / "schema" / "alembic.ini"))
    parser.add_argument("--metadata", default="schema.models:metadata")
    args = parser.parse_args()
    tree = AlembicTree(Path(args.alembic_ini))
    revisions = len(tree.linear_history())

    config = HarnessConfig.resolve()
    env = config.test_env()
    profile = profiles.choose("auto", load_model(config.base_files(), env={**os.environ, **env}))
    profiles.prepare(profile, Progress(quiet=True))
    with Stack(
        profile.files(config.base_files()),
        env,
        isolated_project_name("orderflow-bench"),
        profile.name,
        Progress(quiet=True),
    ) as stack:
        endpoints = Endpoints(stack.env, stack.status())
        mine = [ours(tree, endpoints, args.metadata) for _ in range(args.runs)]
        other = [theirs(tree, endpoints, args.metadata) for _ in range(args.runs)]
    m, o = statistics.median(mine), statistics.median(other)
    print(f"history: {tree.ini} ({revisions} revision(s)); {args.runs} runs each; profile {profile.name}")
    print(f"ours (stepwise catalog round trip + drift): {m:.3f}s total, {m / revisions:.3f}s per revision")
    print(f"pytest-alembic built-ins (start-up removed): {o:.3f}s total, {o / revisions:.3f}s per revision")
    print(f"ratio ours / pytest-alembic: {m / o:.2f}" if o else "pytest-alembic time not measurable")


if __name__ == "__main__":
    main()
