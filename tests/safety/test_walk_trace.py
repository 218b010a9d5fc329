"""The trace inside the stepwise walk (infra.safety.walk.WalkTrace): each revision's first upgrade is
traced on the walk's seeded tables (with volume rows), judged per revision, and its findings are the
step's; the safe form passes; a suppression is reported with its reason; a revision that fails only
on the rows is the walk's data finding, once, not also a trace finding."""

from __future__ import annotations

import shutil

import pytest

from infra.migrations.data import data_findings
from infra.migrations.roundtrip import stepwise_roundtrip
from infra.migrations.tree import AlembicTree
from infra.safety.rules import RULES
from infra.safety.walk import WalkTrace
from tests.safety.conftest import EXAMPLES, tree

pytestmark = [pytest.mark.safety, pytest.mark.migrations]
RULE = {r.removeprefix("safety."): r for r in RULES}
ROWS = 100


def walk(case_tree: AlembicTree, engine):
    return stepwise_roundtrip(case_tree, engine, seed=0, trace=WalkTrace(case_tree), volume_rows=ROWS)


@pytest.mark.negative(RULE["index-concurrently"])
def test_walk_reports_the_trace_findings_per_revision(empty_engine):
    result = walk(tree("index-plain"), empty_engine)
    a3 = result.steps[-1]
    assert a3.revision == "a3" and a3.status == "round-tripped" and a3.traced is not None
    found = [(f.check_id, f.where) for f in a3.traced.findings]
    assert any(
        c == RULE["index-concurrently"]
        and w.startswith("revision a3, statement ")
        and "CREATE INDEX ix_item_code" in w
        for c, w in found
    ), found
    assert set(a3.traced.findings) <= set(a3.findings)  # the walk's own list carries them
    assert (
        "| yes |" not in a3.traced.markdown and "ShareLock public.item (blocks writes)" in a3.traced.markdown
    )
    index = next(s for s in a3.traced.doc["statements"] if s["sql"].startswith("CREATE INDEX"))
    assert index["rows_scanned"]["public.item"] >= ROWS  # the volume rows were there to scan
    assert result.steps[0].traced is not None and result.steps[0].traced.findings == []  # a1: a new table
    # a2 creates item with a foreign key to the populated org, without a lock_timeout: observed too
    assert RULE["lock-timeout"] in {f.check_id for f in result.steps[1].findings}
    assert "statement(s) traced in 3 upgrade(s)" in result.summary()


def test_walk_with_the_safe_form_has_no_trace_findings(empty_engine):
    result = walk(tree("index-concurrently"), empty_engine)
    assert result.steps[-1].findings == [] and result.steps[-1].status == "round-tripped"
    assert result.steps[-1].traced is not None and result.steps[-1].traced.statements >= 1


def test_walk_reports_a_suppression_with_its_reason(empty_engine, tmp_path):
    case = tmp_path / "case"
    shutil.copytree(EXAMPLES / "lock-timeout-missing", case)
    ini = case / "alembic.ini"
    ini.write_text(ini.read_text().replace("%(here)s/../", f"{EXAMPLES}/"))
    revision = next((case / "versions").glob("a3_*.py"))
    revision.write_text(
        revision.read_text() + f"# safety: ignore {RULE['lock-timeout']} -- item is empty before launch\n"
    )
    result = walk(AlembicTree(ini), empty_engine)
    a3 = result.steps[-1]
    assert a3.traced is not None and RULE["lock-timeout"] not in {f.check_id for f in a3.findings}
    assert [(f.check_id, why) for f, why in a3.traced.suppressed] == [
        (RULE["lock-timeout"], "item is empty before launch")
    ]
    assert "(suppressed: item is empty before launch)" in a3.traced.markdown


@pytest.mark.negative(data_findings.check)
def test_a_revision_failing_on_the_volume_rows_is_one_data_finding(empty_engine):
    result = walk(tree("unique-on-duplicates"), empty_engine)
    a3 = result.steps[-1]
    assert [f.check_id for f in a3.findings] == [data_findings.check.id], a3.findings
    assert a3.traced is not None and any(s["error"] for s in a3.traced.doc["statements"])


def test_walk_traces_an_env_that_opens_its_own_connection(empty_engine, tmp_path):
    """MLflow's env.py migrates on `connection.engine.connect()`, not on the connection handed over:
    the trace still sees every statement (it listens on the engine while attached)."""
    ini = tmp_path / "alembic.ini"
    ini.write_text(
        (EXAMPLES / "index-plain" / "alembic.ini")
        .read_text()
        .replace("%(here)s/../../../migrations/examples/_env", str(EXAMPLES / "_env_own_connection"))
        .replace("%(here)s/..", str(EXAMPLES))
        .replace("%(here)s/versions", str(EXAMPLES / "index-plain" / "versions"))
    )
    result = walk(AlembicTree(ini), empty_engine)
    a3 = result.steps[-1]
    assert a3.traced is not None and a3.traced.statements >= 1
    assert RULE["index-concurrently"] in {f.check_id for f in a3.findings}
