"""infra.audit.naming: names as SQLAlchemy renders them, shortened as SQLAlchemy and PostgreSQL do."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from infra.audit.naming import (
    NameSpec,
    collisions,
    convention_name,
    expected_name,
    final_name,
    pg_truncate,
    sqlalchemy_truncate,
)
from tests.audit.convention import CONVENTION

identifier = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
snake = st.from_regex(r"[a-z][a-z0-9]{0,20}(_[a-z0-9]{1,12}){0,3}", fullmatch=True)


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        (NameSpec("pk", "org", ("id",)), "pk_org"),
        (NameSpec("fk", "order_line", ("org_id",), "org", ("id",)), "fk_order_line_org_id_org"),
        (NameSpec("fk", "node", ("parent_id",), "node", ("id",)), "fk_node_parent_id_node"),
        (NameSpec("uq", "invoice", ("org_id", "number")), "uq_invoice_org_id_number"),
        (NameSpec("ck", "org", ("slug",), constraint_name="slug_format"), "ck_org_slug_format"),
        (NameSpec("ix", "org", ("name",)), "ix_org_name"),
    ],
)
def test_the_documented_examples(spec, name):
    assert expected_name(CONVENTION, spec) == name


def test_other_tokens_render_as_sqlalchemy_does():
    convention = {
        "ix": "ix_%(column_0_label)s_%(column_0N_name)s",
        "fk": "fk_%(table_name)s_%(referred_column_0_name)s_%(referred_table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
    }
    assert expected_name(convention, NameSpec("ix", "t", ("a", "b"))) == "ix_t_a_ab"
    assert expected_name(convention, NameSpec("ix", "t", ("a",), schema="s")) == "ix_s_t_a_a"
    assert expected_name(convention, NameSpec("fk", "t", ("org_id",), "org", ("id",))) == "fk_t_id_org"
    assert expected_name(convention, NameSpec("uq", "t", ("b", "a"))) == "uq_t_b"


def test_no_template_no_expectation_and_the_empty_convention_is_sqlalchemys_default():
    assert expected_name({"ix": "ix_%(column_0_label)s"}, NameSpec("pk", "t", ("id",))) is None
    assert expected_name({}, NameSpec("ix", "org", ("name",))) == "ix_org_name"


def test_check_names_are_recovered_from_the_actual_name():
    spec = NameSpec("ck", "org", ("slug",))
    assert expected_name(CONVENTION, spec, "ck_org_slug_format") == "ck_org_slug_format"
    assert expected_name(CONVENTION, spec, "org_slug_check") == "ck_org_<name>"
    assert expected_name(CONVENTION, spec) == "ck_org_<name>"


def test_a_hashed_check_name_is_accepted_by_shape_only():
    long_name = "x" * 70
    stored = final_name(f"ck_org_{long_name}")
    assert len(stored) == 60
    assert expected_name(CONVENTION, NameSpec("ck", "org"), stored) == stored
    assert expected_name(CONVENTION, NameSpec("ck", "other"), stored) == "ck_other_<name>"


def _compiled_names(table: sa.Table) -> str:
    dialect = postgresql.dialect()
    ddl = [str(CreateTable(table).compile(dialect=dialect))]
    ddl += [str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes]
    return "\n".join(ddl)


@settings(max_examples=40, deadline=None)  # builds SQLAlchemy tables: slow-ish, and slower under load
@given(table=snake, columns=st.lists(snake, min_size=1, max_size=4, unique=True))
def test_long_names_are_shortened_exactly_as_sqlalchemy_compiles_them(table, columns):
    """The audit expects what create_all()/Alembic really emit, hash suffix included."""
    md = sa.MetaData(naming_convention=CONVENTION)
    sa.Table("org", md, sa.Column("id", sa.Integer, primary_key=True))
    t = sa.Table(table, md, *(sa.Column(c, sa.Integer) for c in columns), sa.Column("org_id", sa.Integer))
    t.append_constraint(sa.UniqueConstraint(*columns))
    t.append_constraint(sa.ForeignKeyConstraint(["org_id"], ["org.id"]))
    sa.Index(None, *(t.c[c] for c in columns))
    ddl = _compiled_names(t)
    for spec in (
        NameSpec("uq", table, tuple(columns)),
        NameSpec("fk", table, ("org_id",), "org", ("id",)),
        NameSpec("ix", table, tuple(columns)),
    ):
        name = expected_name(CONVENTION, spec)
        assert name is not None
        assert f" {name} " in ddl
        assert len(name) <= 63


def test_sqlalchemy_truncation_keeps_55_characters_and_a_hash():
    name = "ix_" + "a" * 40 + "_" + "b" * 30 + "_org_id"
    assert sqlalchemy_truncate(name) == "ix_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_bbbbbbbbbbb_ef74"
    assert sqlalchemy_truncate("short") == "short"


def test_multibyte_names_under_63_characters_are_cut_by_postgresql_at_63_bytes():
    full = convention_name(CONVENTION, NameSpec("ix", "tâche", ("é" * 40,)))
    assert full is not None and len(full) <= 63 < len(full.encode())
    assert final_name(full) == pg_truncate(full)
    assert len(final_name(full).encode()) <= 63


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120))
def test_pg_truncate_never_exceeds_63_bytes_nor_splits_a_character(name):
    cut = pg_truncate(name)
    assert len(cut.encode()) <= 63
    assert name.startswith(cut)
    assert len(name.encode()) > 63 or cut == name
    assert len(cut.encode()) > 63 - 4 or cut == name  # at most one (4-byte) character dropped


@given(identifier)
def test_final_names_always_fit(name):
    assert len(final_name(name).encode()) <= 63


@given(prefix=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=63), tails=st.data())
def test_distinct_long_names_sharing_a_63_byte_prefix_collide(prefix, tails):
    prefix = pg_truncate(prefix)
    a, b = tails.draw(st.lists(st.text(min_size=1, max_size=10), min_size=2, max_size=2, unique=True))
    if len(prefix.encode()) < 63:  # the cut fell inside a multibyte character: pad to 63 bytes
        prefix += "x" * (63 - len(prefix.encode()))
    found = collisions([("index a", prefix + a), ("index b", prefix + b), ("index c", "other")])
    assert [(c.name, c.objects) for c in found] == [(prefix, ("index a", "index b"))]


@given(st.lists(st.tuples(st.sampled_from("abcdef"), identifier), max_size=12))
def test_collisions_report_only_names_shared_by_distinct_objects(pairs):
    found = collisions(pairs)
    holders: dict[str, set[str]] = {}
    for obj, name in pairs:
        holders.setdefault(pg_truncate(name), set()).add(obj)
    assert {c.name: c.objects for c in found} == {
        name: tuple(sorted(objs)) for name, objs in holders.items() if len(objs) > 1
    }


def test_the_same_object_named_twice_is_no_collision():
    assert collisions([("pk_org", "pk_org"), ("pk_org", "pk_org")]) == []
