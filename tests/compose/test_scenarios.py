"""Negative cases for the static compose checks: each scenario folder breaks one rule, and that
rule (and no other) fires, naming the service; a secret value never shows in a finding.

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
from infra.compose.model import ComposeFiles
from infra.compose.rules import RULES, audit_compose
from infra.compose.rules.secrets import rule_secrets_required
from infra.findings import Finding, render_all
from infra.masking import is_secret_name

SCENARIOS = Path(__file__).parent / "scenarios"
ENV = read_env_file(SCENARIOS / "scenario.env")
# Secrets planted in the broken files; no finding may quote them.
PLANTED = ("hunter2", "minioadmin")
pytestmark = [pytest.mark.compose]

# Each broken scenario's compose file says, on its second line, which check it breaks and where:
# `# breaks: <check id> | <a fragment of the finding's where>`.
BREAKS = re.compile(r"# breaks: (\S+) \| (.+)")
# A default is also not the required form: that scenario rightly breaks both rules.
ALSO_FIRES = {"default-password": {rule_secrets_required.id}}


def _negatives() -> list[pytest.ParameterSet]:
    cases = []
    for folder in sorted(p for p in SCENARIOS.iterdir() if p.is_dir() and p.name != "valid"):
        lines = (folder / "docker-compose.yml").read_text(encoding="utf-8").splitlines()
        match = BREAKS.fullmatch(lines[1]) if len(lines) > 1 else None
        assert match, f"{folder}: line 2 must be `# breaks: <check id> | <where>`"
        check_id, where = match.groups()
        cases.append(
            pytest.param(folder.name, check_id, where, marks=pytest.mark.negative(check_id), id=folder.name)
        )
    return cases


NEGATIVES = _negatives()
ALL_SCENARIOS = [case.values[0] for case in NEGATIVES]


@cache  # one `docker compose config` per scenario and session
def audit(name: str) -> list[Finding]:
    folder = SCENARIOS / name
    own_env = folder / "scenario.env"
    env = read_env_file(own_env) if own_env.is_file() else ENV
    return audit_compose(ComposeFiles((folder / "docker-compose.yml",)), env)


def assert_fails(scenario: str, check_id: str, where: str) -> None:
    """`scenario` fails `check_id` (and no other check), with a finding located at `where`."""
    __tracebackhide__ = True
    findings = audit(scenario)
    fired = {f.check_id for f in findings}
    assert check_id in fired, f"{scenario}: expected a {check_id} finding\n{render_all(findings)}"
    assert fired - {check_id} <= ALSO_FIRES.get(scenario, set()), render_all(findings)
    assert any(where in f.where for f in findings if f.check_id == check_id), render_all(findings)


def test_valid_scenario_is_clean():
    findings = audit("valid")
    assert not findings, render_all(findings)


def test_every_compose_rule_has_a_scenario():
    assert {case.values[1] for case in NEGATIVES} == {rule.id for rule in RULES}


@pytest.mark.parametrize("scenario", ALL_SCENARIOS)
def test_findings_never_quote_a_secret(scenario):
    text = render_all(audit(scenario))
    for secret in [*PLANTED, *(v for k, v in ENV.items() if is_secret_name(k))]:
        assert secret not in text


@pytest.mark.parametrize(("scenario", "check_id", "where"), NEGATIVES)
def test_scenario_fails_its_rule(scenario, check_id, where):
    assert_fails(scenario, check_id, where)
