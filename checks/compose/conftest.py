"""The static audit of the compose file under test, computed once per session."""

import pytest

from infra.compose.rules import audit_compose
from infra.findings import Finding


@pytest.fixture(scope="session")
def compose_findings(compose_files, compose_env) -> list[Finding]:
    return audit_compose(compose_files, compose_env)
