"""Lint a compose file as Compose would run it, with or without pytest.

The user's env file is used as given (else the `.env` beside the file, as Compose does); the shell's
variables win over it, as in Compose. Nothing is rewritten: a variable Compose would refuse
(`${X:?}` unset) gets a placeholder, and the report names it. `docker compose config` resolves the
model; the rules judge it (infra.compose.rules); a policy weighs the findings (infra.compose.policy).
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.compose.envfile import read_env_file
from infra.compose.interpolate import refused_variables
from infra.compose.locate import locate
from infra.compose.model import ComposeFiles, ComposeModel, EnvFileRecord, load_model
from infra.compose.policy import Policy
from infra.compose.rules import RULES, read_raw
from infra.compose.rules.common import ComposeFinding, RawFile
from infra.compose.rules.suppression import Exception_, valid_exceptions
from infra.compose.shipped import shipped_healthchecks
from infra.compose.source import refuse_special
from infra.environ import child_env, run_bounded
from infra.errors import HarnessError
from infra.findings import Finding, Location
from infra.masking import mask, secret_values

# Compose's default file names: `docker compose up` in their folder also merges `<stem>.override<ext>`.
DEFAULT_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
PLACEHOLDER = "placeholder"
_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl")


def compose_files(path: Path, env_file: Path | None = None) -> ComposeFiles:
    """The files Compose reads for `path`: it, plus its sibling override when `path` has a default name."""
    files = [path]
    if path.name in DEFAULT_NAMES:
        override = path.with_name(f"{path.stem}.override{path.suffix}")
        if override.is_file():
            files.append(override)
    return ComposeFiles(tuple(files), env_file)


def _placeholder(name: str) -> str:
    return "65535" if name.endswith("PORT") else PLACEHOLDER


def _tracked(path: Path) -> bool | None:
    """Whether git tracks `path`; None when it is in no git work tree (or git is missing)."""
    try:
        git = ["git", "-C", str(path.parent), "ls-files", "--error-unmatch", path.name]
        proc = run_bounded(git, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode == 0:
        return True
    return False if "did not match" in proc.stderr else None


def published_example(path: Path) -> Path | None:
    """The example `path` was copied from (`.env.example`, `env.example`, `.env.sample`, a template):
    a sibling git tracks, or (outside git, where nobody can tell) one that exists."""
    names = [f"{path.name}{suffix}" for suffix in _EXAMPLE_SUFFIXES] + [f"example{path.name}", "example.env"]
    for name in names:
        candidate = path.with_name(name)
        if candidate != path and candidate.is_file() and _tracked(candidate) is not False:
            return candidate
    return None


def prepare(
    files: ComposeFiles, env: Mapping[str, str] | None = None, profiles: Sequence[str] | None = None
) -> tuple[list[RawFile], ComposeModel]:
    """Raw files and resolved model; `env` acts as shell variables (tests use it instead of a file).

    Every service behind a Compose profile is in the model (`profiles` None), or those the given
    profiles enable: without any, Compose's model leaves profiled services out and a file whose
    services all sit behind profiles would be judged as empty."""
    if files.env_file is not None and not files.env_file.is_file():
        refuse_special(files.env_file, "env file")  # a FIFO or device: said as such, never opened
        what = "a directory" if files.env_file.is_dir() else "missing"
        raise HarnessError(f"env file {files.env_file} is {what}", "pass an existing file with --env-file")
    raw = read_raw(files)
    env_file = files.env_file
    if env_file is None and (files.project_dir / ".env").is_file():
        env_file = files.project_dir / ".env"
    values = read_env_file(env_file) if env_file else {}
    lookup = {**values, **(child_env(env or {}) or {})}  # the shell's variables win, as in Compose
    refused = sorted({name for r in raw for name in refused_variables(r.doc, lookup)})
    resolved = dataclasses.replace(files, env_file=env_file)
    model = load_model(
        resolved, env=child_env({**(env or {}), **{n: _placeholder(n) for n in refused}}), profiles=("*",)
    )
    if profiles is not None:
        chosen = set(profiles)
        known = {p for svc in model.services.values() for p in svc.profiles}
        if chosen - known:
            raise HarnessError(
                f"profile {', '.join(sorted(chosen - known))} is not used by any service of {files.files[0]}",
                f"profiles there: {', '.join(sorted(known)) or 'none'}",
            )
        enabled = {n: s for n, s in model.services.items() if not s.profiles or chosen & set(s.profiles)}
        model = dataclasses.replace(model, services=enabled)
    # `docker compose config` inlines services' env_file into environment: read them as written.
    paths = ([env_file] if env_file else []) + [
        r.path.parent / entry for r in raw for s in r.services().values() for entry in _env_file_entries(s)
    ]
    records = []
    for path in dict.fromkeys(p.resolve() for p in paths):
        if path.is_file():
            example = published_example(path)
            records.append(
                EnvFileRecord(
                    path,
                    read_env_file(path),
                    _tracked(path),
                    example,
                    read_env_file(example) if example else {},
                )
            )
    model = dataclasses.replace(
        model,
        variables=values,
        env_file=env_file,
        placeholders=tuple(refused),
        env_records=tuple(records),
        shipped_healthchecks=shipped_healthchecks(model, files.project_dir),
    )
    return raw, model


def _env_file_entries(service: object) -> list[str]:
    entries = service.get("env_file") if isinstance(service, Mapping) else None
    if isinstance(entries, str | Mapping):
        entries = [entries]
    return [str(e.get("path", "")) if isinstance(e, Mapping) else str(e) for e in entries or ()]


def _masked(findings: Sequence[ComposeFinding], hidden: Sequence[str]) -> list[ComposeFinding]:
    return [
        dataclasses.replace(
            f,
            where=mask(f.where, hidden),
            expected=mask(f.expected, hidden),
            found=mask(f.found, hidden),
            hint=mask(f.hint, hidden),
        )
        for f in findings
    ]


def run_rules(
    raw: list[RawFile], model: ComposeModel, env: Mapping[str, str] | None = None
) -> list[ComposeFinding]:
    """Every rule's findings, secret values (env file, env files, `env`) masked whichever rule would
    have quoted them."""
    found: list[ComposeFinding] = []
    for rule in RULES:
        found += [f if isinstance(f, ComposeFinding) else ComposeFinding(**vars(f)) for f in rule(raw, model)]
    names = [model.project, *model.services, *model.volumes]
    hidden = {*secret_values(model.variables, names), *secret_values(env or {}, names)}
    hidden |= {v for r in model.env_records for v in secret_values(r.values, names)}
    project_dir = raw[0].path.resolve().parent if raw else None
    for r in model.env_records:  # a file outside the project (`env_file: /etc/...`): all of it is hidden
        if project_dir and not r.path.is_relative_to(project_dir):
            hidden |= {v for v in r.values.values() if v}
    return _masked(found, sorted(hidden, key=len, reverse=True))


def audit_compose(files: ComposeFiles, env: Mapping[str, str] | None = None) -> list[Finding]:
    """Every rule's findings over `files`, whatever the policy (strict ones included)."""
    raw, model = prepare(files, env)
    return list(run_rules(raw, model, env))


@dataclass(frozen=True)
class Judged:
    finding: ComposeFinding
    severity: str
    location: Location | None = None  # the offending key's file, line and column


@dataclass(frozen=True)
class LintReport:
    """What was examined, under which policy, what was found and what the file excused."""

    files: tuple[Path, ...]
    env_file: Path | None
    policy: str
    services: int
    placeholders: tuple[str, ...]
    findings: tuple[Judged, ...]
    excused: tuple[tuple[ComposeFinding, Exception_], ...]
    # Which services sit behind which profiles (linted: `docker compose up` alone would not start
    # them), and those left out because the profiles chosen do not enable them.
    behind_profiles: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    not_linted: tuple[str, ...] = ()

    @property
    def errors(self) -> int:
        return sum(1 for j in self.findings if j.severity == "error")


def judge(
    raw: list[RawFile], found: Sequence[ComposeFinding], policy: Policy
) -> tuple[list[Judged], list[tuple[ComposeFinding, Exception_]]]:
    """Weigh findings by `policy`; set aside the ones the file excuses with a reason."""
    excuses = valid_exceptions(raw)
    judged, excused = [], []
    for f in found:
        severity = policy.severity(f)
        if severity == "off":
            continue
        excuse = next((e for e in excuses if e.check_id == f.check_id and e.service == f.service), None)
        if excuse is not None:
            excused.append((f, excuse))
        else:
            judged.append(Judged(f, severity, locate(raw, f)))
    return judged, excused


def lint(
    files: ComposeFiles,
    policy: Policy,
    env: Mapping[str, str] | None = None,
    profiles: Sequence[str] | None = None,
) -> LintReport:
    """Lint `files` under `policy` (`env`: shell variables; `profiles`: None for every profile; see
    `prepare`)."""
    raw, model = prepare(files, env, profiles)
    everything = {name for r in raw for name in r.services()}
    found = [f for f in run_rules(raw, model, env) if f.service is None or f.service in model.services]
    judged, excused = judge(raw, found, policy)
    return LintReport(
        files=files.files,
        env_file=model.env_file,
        policy=policy.name,
        services=len(model.services),
        placeholders=model.placeholders,
        findings=tuple(judged),
        excused=tuple(excused),
        behind_profiles={n: s.profiles for n, s in model.services.items() if s.profiles},
        not_linted=tuple(sorted(everything - set(model.services))),
    )
