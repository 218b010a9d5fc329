"""infra.audit without a database: the rule registry, docstrings, heuristics, and rules over hand-built
catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra.audit import RULES, AuditOptions, audit, looks_plural
from infra.audit.names import constraint_names, index_columns
from infra.audit.shape import tenant_org_id, timestamps
from infra.audit.view import singular_of
from infra.catalog import CatalogSnapshot, Column, Constraint, Index, Table, Trigger
from infra.findings import Check, declare
from infra.registry import all_checks

CONVENTIONS_MD = Path(__file__).resolve().parents[2] / "schema" / "CONVENTIONS.md"
CONVENTION = {"pk": "pk_%(table_name)s", "ix": "ix_%(table_name)s_%(column_0_N_name)s"}


def test_every_documented_rule_has_an_audit_rule_and_a_check():
    documented = set(re.findall(r"^#+ `(schema\.[a-z-]+)`", CONVENTIONS_MD.read_text(), re.MULTILINE))
    assert documented == set(RULES)
    assert set(RULES) <= set(all_checks())


def test_every_rule_says_why_and_how_to_fix():
    for rule in RULES.values():
        assert rule.title and rule.why and rule.fix, rule.id
        assert rule.function.__doc__ and rule.why.split()[0] in rule.function.__doc__


def test_a_docstring_without_why_or_fix_is_refused_by_name():
    with pytest.raises(ValueError, match=r"schema\.x.*'Fix'"):
        declare("schema.x", "Title.\n\nWhy: because.\n", required=("Why", "Fix"))
    assert declare("schema.x", "Two-line\ntitle.\n\nWhy: a\n b.\nFix: c.", ("Why", "Fix")) == Check(
        "schema.x", "Two-line title", "a b.", "c."
    )
    with pytest.raises(ValueError, match=r"not `<concern>\.<kebab-name>`"):
        declare("Schema X", "Title.\n\nWhy: because.")


def test_unknown_rule_ids_are_refused():
    with pytest.raises(ValueError, match=r"schema\.nope"):
        audit(CatalogSnapshot(), CONVENTION, rules=["schema.nope"])


@pytest.mark.parametrize(
    ("name", "plural"),
    [
        ("order_lines", True),
        ("categories", True),
        ("people", True),
        ("order_line", False),
        ("status", False),
        ("address", False),
        ("org_settings", False),
        ("analysis", False),
        ("news", False),
        ("bus", False),
    ],
)
def test_the_plural_heuristic(name, plural):
    assert looks_plural(name, AuditOptions()) is plural


def test_the_heuristic_takes_exceptions():
    options = AuditOptions(singular_exceptions=frozenset({"metrics"}))
    assert not looks_plural("daily_metrics", options)
    assert looks_plural("daily_metrics", AuditOptions())


@pytest.mark.parametrize(
    ("plural", "singular"), [("order_lines", "order_line"), ("categories", "category"), ("boxes", "box")]
)
def test_hints_guess_the_singular(plural, singular):
    assert singular_of(plural) == singular


def test_expression_index_columns_are_read_in_order_without_literals():
    index = Index(
        "public",
        "ix",
        "t",
        "CREATE INDEX ...",
        "btree",
        columns=("org_id", None, None),
        expressions=("lower(name)", "((data ->> 'org_id'::text))"),
    )
    assert index_columns(index, {"org_id", "name", "data"}) == ("org_id", "name", "data")


def _table(name: str, *columns: Column, constraints=(), indexes=(), triggers=()) -> list:
    return [Table("public", name, "table"), *columns, *constraints, *indexes, *triggers]


def test_a_custom_tenant_table_and_timestamp_function():
    """The audit is generic: the tenant anchor and the trigger function are options."""
    objects = _table(
        "tenant",
        Column("public", "tenant", "id", "uuid", True, "gen_random_uuid()"),
        Column("public", "tenant", "created_at", "timestamp with time zone", True, "now()"),
        Column("public", "tenant", "updated_at", "timestamp with time zone", True, "now()"),
        constraints=[Constraint("public", "tenant", "pk_tenant", "primary key", "PRIMARY KEY (id)", ("id",))],
        triggers=[
            Trigger(
                "public",
                "tenant",
                "touch",
                "CREATE TRIGGER touch BEFORE UPDATE ON public.tenant FOR EACH ROW EXECUTE FUNCTION touch()",
            )
        ],
    )
    options = AuditOptions(
        tenant_table="tenant", tenant_column="tenant_id", updated_at_function="touch", updated_at_trigger=None
    )
    assert audit(CatalogSnapshot.of(objects), CONVENTION, options=options) == []
    findings = audit(CatalogSnapshot.of(objects), CONVENTION)
    assert {f.check_id for f in findings} == {tenant_org_id.id, timestamps.id}


def test_partitions_and_excluded_tables_are_not_audited():
    objects = [
        Table("public", "Events_2024", "table", partition_bound="FOR VALUES FROM (1) TO (2)"),
        Table("public", "Legacy_Things", "table"),
    ]
    findings = audit(CatalogSnapshot.of(objects), CONVENTION, exclude_tables=("public.Legacy_Things",))
    assert findings == []


def test_two_misnamed_checks_on_one_table_are_two_findings_not_a_collision():
    """Their expected names are only a shape (`ck_t_<name>`): no object is named that."""
    convention = {"ck": "ck_%(table_name)s_%(constraint_name)s"}
    objects = [
        Table("public", "t", "table"),
        Constraint("public", "t", "t_a_check", "check", "CHECK (a > 0)", ("a",)),
        Constraint("public", "t", "t_b_check", "check", "CHECK (b > 0)", ("b",)),
    ]
    findings = audit(CatalogSnapshot.of(objects), convention, rules=[constraint_names.id])
    assert [(f.where, f.expected) for f in findings] == [
        ("check t_a_check on t", "'ck_t_<name>'"),
        ("check t_b_check on t", "'ck_t_<name>'"),
    ]
