"""The static lint of the compose file under test, computed once per session: the env file as given
(Compose's view, nothing rewritten), the policy from pyproject ([tool.orderflow.lint]); the checks
assert on the findings at error severity (`python -m infra lint` shows the warnings too)."""

import pytest

from infra.compose.lint import compose_files, lint
from infra.compose.policy import project_policy
from infra.config import REPO_ROOT
from infra.findings import Finding


@pytest.fixture(scope="session")
def compose_findings(harness_config) -> list[Finding]:
    env_file = harness_config.env_file if harness_config.env_file.is_file() else None
    report = lint(compose_files(harness_config.compose_file, env_file), project_policy(REPO_ROOT))
    return [j.finding for j in report.findings if j.severity == "error"]
