"""CLI commands for the stack: doctor, images build, env init, up, status, down, prune.

Handlers are thin and never call each other: stacks are opened by `infra.stack.opener`, state is
`infra.stack.state`, and the `up` report judges with the same finding functions as the checks.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict
from typing import cast

from infra import config as config_knobs
from infra.cli.engines import add_engine_results
from infra.compose.envfile import missing_variables
from infra.compose.model import load_model
from infra.config import Budgets, HarnessConfig
from infra.environ import child_env
from infra.errors import HarnessError
from infra.probes.stack import health_findings, startup_findings
from infra.progress import Progress
from infra.report import Report, Result
from infra.stack import checkouts, engine, images, opener, profiles, signals, state
from infra.stack.isolation import init_env_file, isolated_env, port_is_free
from infra.stack.lifecycle import Stack, StackStatus
from infra.stack.ownership import other_checkout, project_lock, refuse_foreign, refuse_leased
from infra.stack.prune import prune_test_stacks, remove_project
from infra.stack.signals import Interrupted

LOCK_MARGIN_S = 60.0


def _config(args: argparse.Namespace) -> HarnessConfig:
    return HarnessConfig.resolve(args.compose_file, args.env_file)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Engine? Compose v2? Does Compose accept the file? Images? Env complete? Ports free? One line each."""
    config = _config(args)
    ok = True

    def line(good: bool, text: str) -> None:
        nonlocal ok
        ok &= good
        print(f"{'ok  ' if good else 'FAIL'} {text}")

    try:
        info = engine.engine_info()
        line(True, f"engine {info.server_version} (API {info.api_version}), compose {info.compose_version}")
    except HarnessError as exc:
        line(False, exc.one_line())
        return 1
    values = config.template_values()
    missing = missing_variables(config.needed_variables().values(), values)
    if config.env_is_template:
        line(
            True,
            f"no .env: test stacks use {config.env_file.name} with generated secrets; "
            "`python -m infra env init` writes a .env",
        )
    else:
        line(
            not missing,
            f"env file {config.env_file}: " + (f"missing {', '.join(missing)}" if missing else "complete"),
        )
    try:  # what `up` would reject: YAML errors, unknown keys, bad values
        load_model(config.base_files(), env=child_env(isolated_env(config)))
        line(True, f"docker compose config accepts {config.compose_file}")
    except HarnessError as exc:
        line(False, exc.one_line())
    choice = checkouts.for_up(config, None, False)
    if choice.isolated:  # another checkout holds the file's project (and its ports): `up` picks free ones
        line(True, f"ports: {choice.note}")
    else:
        for name, value in values.items():
            if name.endswith("_PORT") and value.isdigit():
                free = port_is_free(int(value))
                taken = "in use (set another port in the env file)"
                line(free, f"{name}={value} on 127.0.0.1 " + ("free" if free else taken))
    stale = images.offline_images_current()
    line(
        True,
        "offline images: "
        + ("current" if not stale else f"to build: {', '.join(stale)} (`python -m infra images build`)"),
    )
    return 0 if ok else 1


def cmd_images_build(args: argparse.Namespace) -> int:
    engine.engine_info()
    built = images.build_offline_images(Progress(), only=args.only or ())
    print(f"built: {', '.join(built)}" if built else "all offline images are current")
    return 0


def cmd_env_init(args: argparse.Namespace) -> int:
    config = HarnessConfig.resolve(args.compose_file, None, environ={})
    target = init_env_file(config.compose_file, force=args.force)
    print(f"wrote {target} (mode 0600; credentials generated, not printed)")
    return 0


def up_report(status: StackStatus, expected: list[str], budget_s: float) -> Report:
    """The `up` report, judged by the same finding functions as the pytest checks."""
    report = Report(
        "up",
        data={
            "profile": status.profile,
            "project": status.project,
            "total_s": status.total_s,
            "services": {k: asdict(v) for k, v in status.services.items()},
            "recreated": list(status.recreated),
        },
    )
    report.add_findings(health_findings.id, health_findings(status, expected))
    report.add_findings(startup_findings.id, startup_findings(status, budget_s), status.total_s)
    return report.finish()


def failed_report(project: str, profile: str, cause: str) -> Report:
    """A failing `up --json` still prints a report: status failed, and the cause."""
    report = Report("up", data={"project": project, "cause": cause, "services": {}})
    if profile in ("upstream", "offline"):
        report.data["profile"] = profile
    report.add(Result(health_findings.id, "failed", cause, f"project {project}"))
    return report.finish()


def cmd_up(args: argparse.Namespace) -> int:
    engine.engine_info()
    config = _config(args)
    budgets = Budgets.resolve(startup_s=args.startup_budget)
    deadline = args.timeout or budgets.startup_s
    progress = Progress()
    choice = checkouts.for_up(config, args.project, args.isolated)
    project, isolated = choice.project, choice.isolated
    if choice.note:
        print(choice.note, file=sys.stderr if args.json else sys.stdout)
    stack: Stack | None = None
    try:
        with project_lock(project, wait_s=deadline + LOCK_MARGIN_S):
            refuse_leased(project, state.load(config.state_dir, project), os.getpid(), args.force)
            requested = cast(profiles.ProfileName, config_knobs.profile(args.profile))
            stack = opener.open_stack(
                config, requested, project, isolated, progress=progress, new_ports=args.new_ports
            )
            # Said on stdout, except under --json where stdout holds the report alone.
            print(
                f"profile: {stack.profile} ({stack.profile_reason})",
                file=sys.stderr if args.json else sys.stdout,
            )
            refuse_foreign(project, stack.working_dir(), config.compose_file.parent, args.force)
            status = _start(stack, config, deadline)
    except (HarnessError, Interrupted) as exc:
        if not args.json:
            raise
        cause = exc.one_line() if isinstance(exc, HarnessError) else f"interrupted: {exc}"
        secrets = stack.secrets if stack else []
        print(failed_report(project, stack.profile if stack else "", cause.splitlines()[0]).to_json(secrets))
        return 130 if isinstance(exc, Interrupted) else 1
    report = up_report(status, list(stack.model.services), budgets.startup_s)
    if report.status == "passed":  # healthy: say what the engines are (version, extensions, health)
        add_engine_results(report, stack, status)
        report.finish()
    if args.json:
        print(report.to_json(stack.secrets))
    else:
        for name, s in status.services.items():
            # A container `up` kept as it was reports 0 s; one Compose replaced is said to be new.
            took = (
                "kept, already healthy"
                if s.healthy_after_s == 0
                else f"healthy after {s.healthy_after_s or 0:.2f}s"
            )
            recreated = " (recreated: its configuration changed)" if name in status.recreated else ""
            print(f"{name:10} {s.describe():10} {took}  {ports_text(s.ports)}{recreated}")
        engines = report.data.get("engines", {})
        if "postgres" in engines:
            pg = engines["postgres"]
            extensions = ", ".join(f"{k} {v}" for k, v in pg["extensions"].items())
            print(f"postgres   {pg['version']}; extensions: {extensions}")
        if "minio" in engines:
            print("minio      " + ", ".join(f"{k} {v}" for k, v in engines["minio"].items()))
        print(f"{stack.project}: {report.status} in {status.total_s}s ({status.profile} profile)")
    return 0 if report.status == "passed" else 1


def _start(stack: Stack, config: HarnessConfig, deadline_s: float) -> StackStatus:
    """State first (with this run's lease), then the containers: a stack never runs without its state."""
    saved = opener.new_state(stack, config, state.Lease.mine("python -m infra up"))
    existed = state.state_path(config.state_dir, stack.project).exists()
    try:
        state.save(config.state_dir, saved)
    except HarnessError:
        if not existed:  # half a state (the JSON without its passfile) of a stack that never started
            state.remove(config.state_dir, stack.project)
        raise
    try:
        status = stack.up(deadline_s=deadline_s)
    except BaseException:
        if stack.containers() or stack.volumes():
            state.save(config.state_dir, saved.with_(lease=None))
        else:
            state.remove(config.state_dir, stack.project)
        raise
    healthy = {k: v.healthy_after_s for k, v in status.services.items() if v.healthy_after_s is not None}
    try:
        state.save(config.state_dir, saved.with_(phase="up", lease=None, healthy_after_s=healthy))
    except HarnessError as exc:  # never a running stack whose state says `starting`
        with signals.held_off():
            stack.down(remove_volumes=False)
        raise HarnessError(
            f"{exc.message}; stopped {stack.project} again (volumes and saved credentials kept)", exc.hint
        ) from None
    return status


def ports_text(ports: Mapping[str, str]) -> str:
    """`5432/tcp -> 127.0.0.1:5433, ...` (or `no ports published`).

    >>> ports_text({"5432/tcp": "127.0.0.1:5433"})
    '5432/tcp -> 127.0.0.1:5433'
    """
    return ", ".join(f"{k} -> {v}" for k, v in ports.items()) or "no ports published"


def cmd_status(args: argparse.Namespace) -> int:
    engine.engine_info()
    config = _config(args)
    project = checkouts.for_existing(config, args.project)
    stack = opener.reopen(config, project)
    if args.database_url:  # the URL names the password file: the password itself is never printed
        print(checkouts.database_urls(config, project)[1 if args.database_url == "sqlalchemy" else 0])
        return 0
    status = stack.status()
    owner = stack.working_dir()
    here = config.compose_file.parent
    if args.json:
        report = status_report(status, owner, config)
        print(report.to_json(stack.secrets))
        return 0 if report.status == "passed" else 1
    if not status.services:
        print(f"{project}: not running")
    else:
        mine = owner is not None and other_checkout(owner, here) is None
        whose = "this checkout" if mine else f"the checkout at {owner}"
        print(f"{project}: {status.profile} profile, started by {whose}")
        for name, s in status.services.items():
            print(f"  {name:10} {s.describe():10} {ports_text(s.ports)}")
    return 0 if status.all_healthy else 1


def status_report(status: StackStatus, owner: str | None, config: HarnessConfig) -> Report:
    """`status --json` in the shared report format: one result per service (healthy or not)."""
    saved = state.state_path(config.state_dir, status.project)
    report = Report(
        "status",
        data={
            "profile": status.profile if status.profile in ("upstream", "offline") else None,
            "project": status.project,
            "owner": owner,
            "state_file": str(saved) if saved.is_file() else None,
            "services": {k: asdict(v) for k, v in status.services.items()},
        },
    )
    if report.data["profile"] is None:
        del report.data["profile"]
    for name, s in status.services.items():
        healthy = s.state == "healthy"
        report.add(
            Result(health_findings.id, "passed" if healthy else "failed", s.describe(), f"service {name}")
        )
    if not status.services:
        report.add(Result(health_findings.id, "failed", "not running", f"project {status.project}"))
    return report.finish()


def cmd_down(args: argparse.Namespace) -> int:
    engine.engine_info()
    config = _config(args)
    project = checkouts.for_existing(config, args.project)
    with project_lock(project, wait_s=LOCK_MARGIN_S):
        saved = state.load(config.state_dir, project)
        refuse_leased(project, saved, os.getpid(), args.force)
        stack = opener.reopen(config, project)
        refuse_foreign(project, stack.working_dir(), config.compose_file.parent, args.force)
        if saved is not None:
            stack.down(remove_volumes=args.volumes)
        else:  # killed mid-start: no state, so no credentials; remove by label
            remove_project(project, volumes=args.volumes)
        if args.volumes:
            state.remove(config.state_dir, project)
    kept = " (volumes and saved credentials kept)" if saved else " (volumes kept)"
    print(f"{project}: down" + (" (volumes removed)" if args.volumes else kept))
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Remove test stacks (projects named orderflow-test-*) and state left behind by killed runs."""
    engine.engine_info()
    config = _config(args)
    result = prune_test_stacks(config.state_dir, config.compose_file.parent, force=args.force)
    print(
        f"pruned {len(result.removed)} test stack(s)"
        + (f": {', '.join(result.removed)}" if result.removed else "")
    )
    if result.kept:
        print(f"kept {len(result.kept)} (not ours or in use): {'; '.join(result.kept)}")
    if result.orphaned_state:
        print(f"removed orphaned state: {', '.join(result.orphaned_state)}")
    for line in result.unreadable:
        print(f"skipped: {line}")
    return 0
