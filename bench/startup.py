"""Benchmark: cold start of the stack, through the harness and through plain `docker compose up --wait`.

    .venv/bin/python bench/startup.py [--runs 5] [--profile offline]

Prints per-run figures, the medians and the ratio harness / plain. A benchmark, not a test: our goals
(cold start < 10 s on 2 cores, harness overhead < 10 %) are read here, not asserted in CI, where a
noisy machine would make them flake. The seed's 120 s budget is a check
(`infra.probes.stack.startup_findings`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from typing import cast

from infra import config as knobs
from infra.config import Budgets, HarnessConfig
from infra.environ import child_env
from infra.progress import Progress
from infra.stack import opener, profiles
from infra.stack.isolation import isolated_env, isolated_project_name
from infra.stack.lifecycle import Stack


def plain_compose(stack: Stack) -> float:
    """Seconds for `docker compose up -d --wait` on the same files, env and a fresh project."""
    started = time.perf_counter()
    subprocess.run(
        [*stack.files.cli(stack.project), "up", "--detach", "--wait", "--quiet-pull"],
        env=child_env(stack.env),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile", choices=knobs.PROFILES, help=f"default: env {knobs.PROFILE_VAR}, else auto"
    )
    args = parser.parse_args()

    config = HarnessConfig.resolve()
    budget = Budgets.resolve().startup_s
    quiet = Progress(quiet=True)
    requested = cast(profiles.ProfileName, knobs.profile(args.profile))
    first = opener.open_stack(
        config, requested, isolated_project_name("orderflow-bench"), isolated=True, progress=quiet
    )
    print(
        f"profile {first.profile}; {args.runs} cold runs each (fresh project and volumes); "
        f"cores: {os.cpu_count()}"
    )

    harness_wall, harness_healthy, plain = [], [], []
    for run in range(1, args.runs + 1):
        stack = (
            first
            if run == 1
            else opener.open_stack(
                config, first.profile, isolated_project_name("orderflow-bench"), isolated=True, progress=quiet
            )
        )
        started = time.perf_counter()
        status = stack.up(deadline_s=budget)
        harness_wall.append(time.perf_counter() - started)
        harness_healthy.append(status.total_s or 0.0)
        stack.down()

        other = Stack(
            stack.files, isolated_env(config), isolated_project_name("orderflow-bench"), stack.profile
        )
        try:
            plain.append(plain_compose(other))
        finally:
            other.down()
        per_service = ", ".join(f"{n} {s.healthy_after_s:.2f}s" for n, s in sorted(status.services.items()))
        print(
            f"run {run}: harness up {harness_wall[-1]:.2f}s (all healthy at {harness_healthy[-1]:.2f}s: "
            f"{per_service}); plain compose up --wait {plain[-1]:.2f}s"
        )

    h, p = statistics.median(harness_wall), statistics.median(plain)
    print(
        f"median cold start to all-healthy: harness {h:.2f}s "
        f"(healthy at {statistics.median(harness_healthy):.2f}s "
        f"by Docker events), plain compose {p:.2f}s"
    )
    print(f"harness overhead vs plain compose: {100 * (h - p) / p:+.1f}% (ratio {h / p:.3f}); goal < +10%")
    print(
        f"cold start goal < 10 s: {'met' if h < 10 else 'NOT met'}; "
        f"seed budget {budget:.0f} s: {'met' if h < budget else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
