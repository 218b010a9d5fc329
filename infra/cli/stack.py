"""CLI commands for the stack: doctor, images build, env init, up, status, down, prune."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import cast

from infra import config as config_knobs
from infra.compose.envfile import missing_variables, read_env_file, write_env_file
from infra.compose.model import load_model
from infra.config import HarnessConfig
from infra.environ import child_env
from infra.errors import HarnessError
from infra.masking import secret_values
from infra.probes.stack import health_findings, startup_findings
from infra.progress import Progress
from infra.report import Report, Result
from infra.stack import engine, images, profiles
from infra.stack.isolation import isolated_env, isolated_project_name, port_is_free
from infra.stack.lifecycle import PROJECT_LABEL, Stack, StackStatus

TEST_PROJECT_PREFIX = "orderflow-test-"


def _config(args: argparse.Namespace) -> HarnessConfig:
    return HarnessConfig.resolve(args.compose_file, args.env_file)


def cmd_doctor(args: argparse.Namespace) -> int:
    """Engine? Compose v2? Images? Env complete? Ports free? One line each, with a hint on failure."""
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
    for name, value in values.items():
        if name.endswith("_PORT") and value.isdigit():
            line(
                port_is_free(int(value)),
                f"{name}={value} on 127.0.0.1 "
                + ("free" if port_is_free(int(value)) else "in use (set another port in the env file)"),
            )
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
    target = config.compose_file.parent / ".env"
    if target.exists() and not args.force:
        raise HarnessError(f"{target} exists; not overwriting it", "pass --force to replace it")
    template = HarnessConfig(config.compose_file, config.compose_file.parent / ".env.example", True)
    values = isolated_env(template)
    for name, value in template.template_values().items():  # keep the example's ports for a dev stack
        if name.endswith("_PORT") and value:
            values[name] = value
    write_env_file(target, values, header="Written by `python -m infra env init`: generated credentials.")
    print(f"wrote {target} (mode 0600; credentials generated, not printed)")
    return 0


def _state_path(config: HarnessConfig, project: str) -> Path:
    return config.state_dir / "stacks" / f"{project}.json"


def _dev_stack(
    config: HarnessConfig, args: argparse.Namespace, progress: Progress, create_env: bool = True
) -> tuple[Stack, str]:
    """The developer's stack: the compose file's project name, the .env values (written if missing)."""
    if config.env_is_template and not create_env:
        raise HarnessError(
            f"no .env beside {config.compose_file}", "start the stack with `python -m infra up`"
        )
    if config.env_is_template:
        cmd_env_init(argparse.Namespace(compose_file=str(config.compose_file), force=False))
        config = HarnessConfig.resolve(config.compose_file, config.compose_file.parent / ".env")
    env = read_env_file(config.env_file)
    missing = missing_variables(config.needed_variables().values(), env)
    if missing:
        raise HarnessError(
            f"{', '.join(missing)} missing or empty in {config.env_file}", "set them there (see .env.example)"
        )
    model = load_model(config.base_files(), env=child_env(env))
    project = args.project or model.project
    return Stack(config.base_files(), env, project, "upstream", progress), project


def _with_profile(stack: Stack, requested: profiles.ProfileName, progress: Progress, quiet: bool) -> Stack:
    profile = profiles.choose(requested, stack.model)
    # Said on stdout, except under --json where stdout holds the report alone (which names the profile).
    print(f"profile: {profile.name} ({profile.reason})", file=sys.stderr if quiet else sys.stdout)
    profiles.prepare(profile, progress)
    return Stack(profile.files(stack.files), stack.env, stack.project, profile.name, progress)


def up_report(status: StackStatus, budget_s: float) -> Report:
    report = Report(
        "up",
        data={
            "profile": status.profile,
            "project": status.project,
            "total_s": status.total_s,
            "services": {k: asdict(v) for k, v in status.services.items()},
        },
    )
    for name, service in status.services.items():
        healthy = service.state == "healthy"
        report.add(
            Result(
                health_findings.id,
                "passed" if healthy else "failed",
                "" if healthy else f"state {service.state}",
                f"service {name}",
                service.healthy_after_s,
            )
        )
    slow = status.total_s is None or status.total_s > budget_s
    report.add(
        Result(
            startup_findings.id,
            "failed" if slow else "passed",
            f"healthy after {status.total_s}s (budget {budget_s:.0f}s)",
            f"project {status.project}",
        )
    )
    return report.finish()


def cmd_up(args: argparse.Namespace) -> int:
    engine.engine_info()
    config = _config(args)
    progress = Progress(quiet=False)
    if args.isolated:
        env = isolated_env(config)
        base = Stack(config.base_files(), env, args.project or isolated_project_name(), "upstream", progress)
    else:
        base, _ = _dev_stack(config, args, progress)
    requested = cast(profiles.ProfileName, config_knobs.profile(args.profile))
    stack = _with_profile(base, requested, progress, quiet=args.json)
    status = stack.up(deadline_s=args.timeout, remove_volumes_on_failure=args.isolated)
    if args.isolated:
        path = _state_path(config, stack.project)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_env_file(path.with_suffix(".env"), stack.env, header=f"profile={stack.profile}")
    report = up_report(status, budget_s=120.0)
    if args.json:
        print(report.to_json(secret_values(stack.env)))
    else:
        for name, s in status.services.items():
            print(f"{name:10} {s.state:10} healthy after {s.healthy_after_s or 0:.2f}s  {dict(s.ports)}")
        print(f"{stack.project}: all healthy in {status.total_s}s ({status.profile} profile)")
    return 0 if report.status == "passed" else 1


def _existing_stack(args: argparse.Namespace) -> Stack:
    """A stack started earlier: an isolated one by its saved env, else the developer's."""
    config = _config(args)
    if args.project:
        saved = _state_path(config, args.project).with_suffix(".env")
        if saved.exists():
            return _profile_of_running(Stack(config.base_files(), read_env_file(saved), args.project))
    stack, _ = _dev_stack(config, args, Progress(), create_env=False)
    return _profile_of_running(stack)


def _profile_of_running(stack: Stack) -> Stack:
    """Add the offline override when the running containers use the offline images."""
    tags = {t for c in stack.containers().values() for t in c.image.tags}
    profile = profiles.Profile(
        "offline" if any(t.startswith("orderflow/") for t in tags) else "upstream", "running"
    )
    return Stack(profile.files(stack.files), stack.env, stack.project, profile.name)


def cmd_status(args: argparse.Namespace) -> int:
    engine.engine_info()
    stack = _existing_stack(args)
    status = stack.status()
    if args.json:
        print(json.dumps(asdict(status), indent=2))
    elif not status.services:
        print(f"{stack.project}: not running")
    else:
        for name, s in status.services.items():
            print(f"{name:10} {s.state:10} {dict(s.ports)}")
    return 0 if status.all_healthy else 1


def cmd_down(args: argparse.Namespace) -> int:
    engine.engine_info()
    stack = _existing_stack(args)
    stack.down(remove_volumes=args.volumes)
    saved = _state_path(_config(args), stack.project).with_suffix(".env")
    saved.unlink(missing_ok=True)
    print(f"{stack.project}: down" + (" (volumes removed)" if args.volumes else " (volumes kept)"))
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Remove test stacks (projects named orderflow-test-*) left behind by killed runs."""
    engine.engine_info()

    def labelled(kind: str, fmt: str, label: str = PROJECT_LABEL) -> list[str]:
        return subprocess.run(
            [
                "docker",
                kind,
                "ls",
                *(["-a"] if kind == "container" else []),
                "--filter",
                f"label={label}",
                "--format",
                fmt,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()

    label_fmt = f'{{{{.Label "{PROJECT_LABEL}"}}}}'
    found = {p for kind in ("container", "volume", "network") for p in labelled(kind, label_fmt)}
    projects = sorted(p for p in found if p.startswith(TEST_PROJECT_PREFIX))
    for project in projects:
        for kind, force in (("container", ["-f"]), ("volume", ["-f"]), ("network", [])):
            ids = labelled(
                kind, "{{.ID}}" if kind == "container" else "{{.Name}}", f"{PROJECT_LABEL}={project}"
            )
            if ids:
                subprocess.run(["docker", kind, "rm", *force, *ids], capture_output=True, check=False)
    print(f"pruned {len(projects)} test stack(s)" + (f": {', '.join(projects)}" if projects else ""))
    return 0
