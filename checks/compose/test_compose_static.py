"""Static checks of the Compose file under test (`--compose-file`, default docker-compose.yml).

They read the raw YAML and the configuration `docker compose config` resolves; no engine needed.
One test per rule of `infra.compose.rules.RULES`; each rule's title and why are its docstring.
"""

import pytest

from infra.compose.rules import RULES
from infra.findings import Checked, only, render_all

pytestmark = [pytest.mark.compose]


@pytest.mark.parametrize("rule", [pytest.param(r, marks=pytest.mark.check(r.check), id=r.id) for r in RULES])
def test_compose_rule_holds(compose_findings, rule: Checked) -> None:
    """The compose file passes the rule; a failure says why the rule exists and lists every offence."""
    mine = only(compose_findings, rule)
    assert not mine, f"{rule.check.title}: {rule.check.why}\n{render_all(mine)}"
