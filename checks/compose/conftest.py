"""The static lint of the compose file under test, computed once per session: the env file as given
(Compose's view, nothing rewritten), the policy from --orderflow-policy, else the file's project
([tool.orderflow.lint] of its pyproject.toml), else `service`; the checks assert on the findings at
error severity (`python -m infra lint` shows the warnings too)."""

import pytest

from infra.compose.lint import compose_files, lint
from infra.compose.policy import project_policy
from infra.findings import Finding


@pytest.fixture(scope="session")
def compose_findings(harness_config, pytestconfig) -> list[Finding]:
    env_file = harness_config.env_file if harness_config.env_file.is_file() else None
    policy = project_policy(harness_config.compose_file.parent, pytestconfig.getoption("--orderflow-policy"))
    report = lint(compose_files(harness_config.compose_file, env_file), policy)
    return [j.finding for j in report.findings if j.severity == "error"]
