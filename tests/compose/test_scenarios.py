"""Negative cases for the static compose checks: each scenario folder breaks one rule, and that
rule fires, naming the service, with no other error under the strict policy; a secret value never
shows in a finding. Folders under scenarios/clean/ are the false-positive classes seen on real
files: each must pass the policy its second line names (`# policy: <name>`).

One test parametrized over the scenario folders; each folder's compose file names the check it breaks,
which becomes the case's `negative` marker, so the sensitivity matrix (`python -m infra checks`)
names the case that proves each check can fail.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from infra.compose.envfile import read_env_file
from infra.compose.lint import Judged, compose_files, lint
from infra.compose.policy import POLICIES
from infra.compose.rules import RULES
from infra.compose.rules.hardening import rule_log_rotation, rule_memory_limit, rule_privileges_dropped
from infra.compose.rules.health import rule_healthcheck_present
from infra.compose.rules.postgres import rule_postgres_shm
from infra.compose.rules.readiness import rule_health_budget
from infra.compose.rules.secrets import rule_no_default_secrets
from infra.findings import render_all
from infra.masking import is_secret_name

SCENARIOS = Path(__file__).parent / "scenarios"
ENV = read_env_file(SCENARIOS / "scenario.env")
# Secrets planted in the broken files; no finding may quote them.
PLANTED = ("hunter2", "minioadmin")
pytestmark = [pytest.mark.compose]

# Each broken scenario's compose file says, on its second line, which check it breaks and where:
# `# breaks: <check id> | <a fragment of the finding's where>`; a third line `# policy: <name>` judges
# it under that policy instead of dev-stack (a finding only that policy grades as it should).
BREAKS = re.compile(r"# breaks: (\S+) \| (.+)")
# Without a start_period, 5 x 2s is also too short a first start for PostgreSQL: both rules are right.
# The env file repeats the compose file's literal default: the default is a finding of its own.
ALSO_FIRES = {
    "no-start-period": {rule_health_budget.id},
    "env-file-public-values": {rule_no_default_secrets.id},
    "depends-on-image-healthcheck": {rule_healthcheck_present.id},  # dev-stack: write it in the file too
}
# The negatives are the pre-hardening valid stack with one defect; the hardening rules are judged by
# their own scenarios (no-memory-limit, no-cap-drop, unrotated-logs, postgres-default-shm) and valid/.
HARDENING = {r.id for r in (rule_memory_limit, rule_privileges_dropped, rule_log_rotation, rule_postgres_shm)}
POLICY_LINE = re.compile(r"# policy: (\S+)")


def _negatives() -> list[pytest.ParameterSet]:
    cases = []
    for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir() and p.name not in ("valid", "clean")):
        lines = (folder / "docker-compose.yml").read_text(encoding="utf-8").splitlines()
        match = BREAKS.fullmatch(lines[1]) if len(lines) > 1 else None
        assert match, f"{folder}: line 2 must be `# breaks: <check id> | <where>`"
        check_id, where = match.groups()
        policy = POLICY_LINE.fullmatch(lines[2]) if len(lines) > 2 else None
        cases.append(
            pytest.param(
                folder.name,
                check_id,
                where,
                policy.group(1) if policy else "dev-stack",
                marks=pytest.mark.negative(check_id),
                id=folder.name,
            )
        )
    return cases


NEGATIVES = _negatives()
ALL_SCENARIOS = [case.values[0] for case in NEGATIVES]


@cache  # one `docker compose config` per scenario and session
def judged(name: str, policy: str = "dev-stack") -> list[Judged]:
    folder = SCENARIOS / name
    own_env = folder / "scenario.env"
    env = read_env_file(own_env) if own_env.is_file() else ENV
    report = lint(compose_files(folder / "docker-compose.yml"), POLICIES[policy], env)
    return list(report.findings)


def text(found: list[Judged]) -> str:
    return "\n".join(f"{j.severity}: " + j.finding.render() for j in found) or "no findings"


def assert_fails(scenario: str, check_id: str, where: str, policy: str = "dev-stack") -> None:
    """`scenario` fails `check_id`, located at `where`, and no other check at error severity."""
    __tracebackhide__ = True
    found = judged(scenario, policy)
    fired = {j.finding.check_id for j in found}
    errors = {j.finding.check_id for j in found if j.severity == "error"}
    assert check_id in fired, f"{scenario}: expected a {check_id} finding\n{text(found)}"
    assert errors - {check_id} - HARDENING <= ALSO_FIRES.get(scenario, set()), text(found)
    assert any(where in j.finding.where for j in found if j.finding.check_id == check_id), text(found)
    assert any(j.severity == "error" for j in found if j.finding.check_id == check_id), text(found)


def test_valid_scenario_is_clean():
    """Every rule, strict ones and warnings included."""
    found = judged("valid")
    assert not found, text(found)


def test_every_compose_rule_has_a_scenario():
    assert {case.values[1] for case in NEGATIVES} == {rule.id for rule in RULES}


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_findings_never_quote_a_secret(scenario):
    rendered = render_all([j.finding for j in judged(scenario)])
    for secret in [*PLANTED, *(v for k, v in ENV.items() if is_secret_name(k))]:
        assert secret not in rendered


@pytest.mark.parametrize(("scenario", "check_id", "where", "policy"), NEGATIVES)
def test_scenario_fails_its_rule(scenario, check_id, where, policy):
    assert_fails(scenario, check_id, where, policy)


CLEAN = sorted(p.name for p in (SCENARIOS / "clean").iterdir() if p.is_dir())


@pytest.mark.parametrize("scenario", CLEAN)
def test_false_positive_class_stays_clean(scenario):
    """A pattern a rule once flagged wrongly on a real file passes its policy, warnings included."""
    lines = (SCENARIOS / "clean" / scenario / "docker-compose.yml").read_text(encoding="utf-8").splitlines()
    policy = POLICY_LINE.fullmatch(lines[1])
    assert policy, f"clean/{scenario}: line 2 must be `# policy: <name>`"
    found = judged(f"clean/{scenario}", policy.group(1))
    assert not found, text(found)
