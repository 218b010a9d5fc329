"""Negative cases for the migration-safety rules: each example revision does one unsafe thing and must
make exactly its rule fail, on a live, seeded database; each safe counterpart must pass every rule."""

from __future__ import annotations

import shutil

import pytest

from infra.findings import render_all
from infra.migrations.tree import AlembicTree
from infra.safety.rules import RULES
from infra.safety.run import safety_run
from tests.safety.conftest import EXAMPLES, ROWS, ids, run_case, tree

pytestmark = [pytest.mark.safety, pytest.mark.migrations, pytest.mark.infra]
RULE = {r.id.partition(".")[2]: r for r in RULES.values()}


def negative(case: str, rule: str):  # type: ignore[no-untyped-def]
    """A negative case: the example tree `case` must make exactly the rule `safety.<rule>` fail."""
    return pytest.param(case, RULE[rule], marks=pytest.mark.negative(RULE[rule].check), id=case)


NEGATIVES = [
    negative("lock-timeout-missing", "lock-timeout"),
    negative("type-rewrite", "rewrite-under-lock"),
    negative("held-lock", "lock-held-across-statements"),
    negative("held-across-revisions", "lock-held-across-statements"),
    negative("index-plain", "index-concurrently"),
    negative("check-valid", "constraint-not-valid"),
    negative("not-null-scan", "not-null-by-scan"),
    negative("index-invalid", "index-valid"),
    negative("fk-no-index", "fk-indexed"),
    negative("not-null-on-nulls", "upgrade-on-data"),
    negative("unique-on-duplicates", "upgrade-on-data"),
    negative("check-broken-by-rows", "upgrade-on-data"),
]

SAFE = [
    "lock-timeout-set",  # vs lock-timeout-missing
    "type-no-rewrite",  # vs type-rewrite
    "held-lock-split",  # vs held-lock, held-across-revisions
    "index-concurrently",  # vs index-plain, index-invalid (autocommit_block: outside a transaction)
    "check-not-valid",  # vs check-valid
    "not-null-check",  # vs not-null-scan, not-null-on-nulls
    "fk-indexed",  # vs fk-no-index
]


@pytest.mark.parametrize(("case", "rule"), NEGATIVES)
def test_unsafe_revision_fails_its_rule(case, rule, empty_engine):
    run = run_case(case, empty_engine)
    assert run.seeded.rows == {"org": ROWS, "item": ROWS}, run.seeded.skipped
    assert ids(run.findings) == {rule.id}, render_all(run.findings)
    assert all(f.where.startswith("revision a") for f in run.findings)


@pytest.mark.parametrize("case", SAFE)
def test_safe_counterpart_passes(case, empty_engine):
    run = run_case(case, empty_engine)
    assert run.seeded.rows == {"org": ROWS, "item": ROWS}, run.seeded.skipped
    assert run.trace.failed is None
    assert [s for s in run.trace.statements if not s.bookkeeping], "nothing was traced"
    assert run.findings == [], render_all(run.findings)


def test_the_trace_observes_what_it_reports(empty_engine):
    """What the findings rest on: the lock, its classification, the rows read, the timeout in force."""
    run = run_case("index-plain", empty_engine)
    build = next(s for s in run.trace.statements if s.sql.startswith("CREATE INDEX"))
    assert (build.revision, build.lock_timeout, build.in_transaction) == ("a3", "2s", True)
    lock = next(lk for lk in build.locks if lk.relation == "public.item")
    assert (lock.mode, lock.blocks, lock.existing) == ("ShareLock", ("writes",), True)
    assert build.scanned == {"public.item": ROWS} and build.rewrites == []


def test_concurrent_build_is_traced_outside_a_transaction(empty_engine):
    """autocommit_block statements run outside a transaction: traced, with no locks left to see."""
    run = run_case("index-concurrently", empty_engine)
    build = next(s for s in run.trace.statements if "CONCURRENTLY" in s.sql)
    assert build.in_transaction is False and build.locks == []
    assert build.new_indexes == [("public.ix_item_code", "public.item")]


def test_rewrite_names_the_rewritten_relations(empty_engine):
    run = run_case("type-rewrite", empty_engine)
    [finding] = run.findings
    assert "public.item" in finding.found and "public.pk_item" in finding.found


def test_held_lock_across_revisions_names_the_later_revision(empty_engine):
    [finding] = run_case("held-across-revisions", empty_engine).findings
    assert finding.where.startswith("revision a3,") and "across revision(s) a4" in finding.found


def test_suppression_with_a_reason_excuses_a_finding(empty_engine, tmp_path):
    """`# safety: ignore <rule> -- reason` in the revision file moves the finding to `suppressed`."""
    case = tmp_path / "case"
    shutil.copytree(EXAMPLES / "lock-timeout-missing", case)
    ini = case / "alembic.ini"
    ini.write_text(ini.read_text().replace("%(here)s/../", f"{EXAMPLES}/"))
    revision = next((case / "versions").glob("a3_*.py"))
    suppression = f"# safety: ignore {RULE['lock-timeout'].id} -- item is empty before launch\n"
    revision.write_text(revision.read_text() + suppression)
    run = safety_run(AlembicTree(ini), empty_engine, "a2", rows=10)
    assert run.findings == []
    assert [(f.check_id, s.reason) for f, s in run.suppressed] == [
        (RULE["lock-timeout"].id, "item is empty before launch")
    ]


def test_new_oid_same_storage_is_no_rewrite(empty_engine):
    """Widening an indexed varchar: the index gets a new OID but keeps its relfilenode (storage), and
    the table keeps its own; traced, nothing is a rewrite (the safe counterpart of type-rewrite)."""
    run = safety_run(tree("type-indexed-no-rewrite"), empty_engine, "a3", rows=ROWS)  # the index exists
    widen = next(s for s in run.trace.statements if s.revision == "a4" and s.sql.startswith("ALTER TABLE"))
    assert widen.rewrites == [] and widen.new_indexes == []
    assert run.findings == [], render_all(run.findings)


@pytest.mark.negative(RULE["lock-timeout"].check)
def test_a_lock_already_held_is_reported_once(empty_engine):
    """ACCESS EXCLUSIVE, then SHARE on the same table in one transaction: one lock-timeout finding,
    on the statement that took the lock."""
    run = run_case("lock-taken-once", empty_engine)
    found = [f for f in run.findings if f.check_id == RULE["lock-timeout"].id]
    assert len(found) == 1, render_all(run.findings)
    assert "AccessExclusiveLock on public.item" in found[0].found
    assert "ShareLock" not in found[0].found
