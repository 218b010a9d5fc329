"""Benchmark: CPU seconds one idle stack costs per minute, health checks included.

    .venv/bin/python bench/idle_cpu.py [--seconds 60] [--settle 20] [--profile offline]

Starts an isolated stack, lets it settle after it is healthy, then reads over the window:
- each container's cgroup CPU (cgroup v1 `cpuacct.usage`, or v2 `cpu.stat` usage_usec): the servers
  and every health probe `docker exec` runs inside them;
- its containerd-shims from /proc (utime+stime, plus cutime+cstime: the `runc exec` children they reap);
- dockerd and containerd from /proc. They serve every container on the machine, so their CPU is also
  given as this stack's share: their total times our exec events over all exec events in the window.
A benchmark, not a test: figures to read, nothing asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, cast

from infra import config as knobs
from infra.config import Budgets, HarnessConfig
from infra.progress import Progress
from infra.stack import opener, profiles
from infra.stack.isolation import isolated_project_name

TICK = os.sysconf("SC_CLK_TCK")
CGROUP = Path("/sys/fs/cgroup")


def cgroup_cpu_s(container_id: str) -> float:
    """CPU seconds of a container's cgroup so far (v1 cgroupfs, v2 cgroupfs or v2 systemd)."""
    v1 = CGROUP / "cpuacct" / "docker" / container_id / "cpuacct.usage"
    if v1.exists():
        return int(v1.read_text()) / 1e9
    for v2 in (CGROUP / "docker" / container_id, CGROUP / "system.slice" / f"docker-{container_id}.scope"):
        stat = v2 / "cpu.stat"
        if stat.exists():
            fields = dict(line.split() for line in stat.read_text().splitlines())
            return int(fields["usage_usec"]) / 1e6
    raise SystemExit(f"no cgroup CPU accounting found for container {container_id[:12]}")


def proc_cpu_s(pid: int) -> float:
    """utime + stime + cutime + cstime of a process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / TICK


def pids(match: str) -> list[int]:
    """Processes whose command line contains `match`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if match in cmdline:
                found.append(int(entry.name))
    return found


def watch_execs(sink: IO[str]) -> subprocess.Popen[str]:
    """`docker events` for exec_create, live (the engine's replay buffer is too short for a window),
    written to a file: a pipe nobody reads during the window would fill and stall the stream."""
    return subprocess.Popen(
        ["docker", "events", "--format", "{{json .}}", "--filter", "type=container",
         "--filter", "event=exec_create"],
        stdout=sink, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def stop_watching(proc: subprocess.Popen[str], sink: IO[str]) -> list[dict[str, object]]:
    proc.terminate()
    proc.wait(timeout=30)
    sink.seek(0)
    return [json.loads(line) for line in sink if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--settle", type=float, default=20.0, help="idle time after healthy, before measuring"
    )
    parser.add_argument(
        "--profile", choices=knobs.PROFILES, help=f"default: env {knobs.PROFILE_VAR}, else auto"
    )
    args = parser.parse_args()

    config = HarnessConfig.resolve()
    requested = cast(profiles.ProfileName, knobs.profile(args.profile))
    stack = opener.open_stack(
        config,
        requested,
        isolated_project_name("orderflow-idle"),
        isolated=True,
        progress=Progress(quiet=True),
    )
    try:
        status = stack.up(deadline_s=Budgets.resolve().startup_s)
        print(f"profile {stack.profile}; healthy at {status.total_s}s; settling {args.settle:g}s")
        time.sleep(args.settle)  # a benchmark's idle period, by definition a wait
        ids = {name: c.id for name, c in stack.containers().items()}
        shims = {name: pids(f"-id {cid}") for name, cid in ids.items()}
        daemons = {"dockerd": pids("dockerd"), "containerd": pids("containerd --config")}

        def sample() -> dict[str, float]:
            values = {f"container {n}": cgroup_cpu_s(cid) for n, cid in ids.items()}
            values |= {f"shim {n}": sum(proc_cpu_s(p) for p in ps) for n, ps in shims.items()}
            values |= {n: sum(proc_cpu_s(p) for p in ps) for n, ps in daemons.items()}
            return values

        load_before = os.getloadavg()[0]
        with tempfile.TemporaryFile("w+") as sink:
            watcher = watch_execs(sink)
            started, first = time.time(), sample()
            time.sleep(args.seconds)
            ended, last = time.time(), sample()
            events = stop_watching(watcher, sink)
    finally:
        stack.down()
    ours = sum(1 for e in events if cast(dict[str, str], e.get("Actor", {})).get("ID") in ids.values())
    share = ours / len(events) if events else 0.0
    per_min = 60.0 / (ended - started)
    print(f"window {ended - started:.1f}s; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print(f"exec events: this stack {ours} ({ours * per_min:.1f}/min), all containers {len(events)}")
    own = 0.0
    for key in first:
        used = (last[key] - first[key]) * per_min
        shared = key in daemons
        own += used * share if shared else used
        extra = f" (this stack's share {used * share:.2f})" if shared else ""
        print(f"  {key:22} {used:7.2f} CPU s/min{extra}")
    print(f"this stack, idle: {own:.2f} CPU s per minute (containers + shims + its share of the daemons)")


if __name__ == "__main__":
    main()
