"""infra.catalog without a database: the snapshot's data, ACL normalization, the diff and its rendering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.catalog import CatalogSnapshot, Column, Extension, Index, View, diff, normalize_acl
from infra.catalog.snapshot import libpq_url

columns = st.builds(
    Column,
    schema=st.just("public"),
    table=st.sampled_from(["org", "invoice"]),
    name=st.sampled_from(["id", "name", "org_id", "note"]),
    type=st.sampled_from(["uuid", "text", "character varying(50)"]),
    not_null=st.booleans(),
    default=st.none() | st.just("now()"),
    comment=st.none() | st.text(max_size=5),
)
snapshots = st.lists(columns, max_size=6, unique_by=lambda c: c.key).map(CatalogSnapshot.of)


@given(snapshots, snapshots)
def test_the_diff_is_empty_exactly_when_the_snapshots_are_equal(a, b):
    assert (not diff(a, b)) == (a == b)
    assert not diff(a, a)


@given(snapshots)
def test_json_round_trips(snapshot):
    assert CatalogSnapshot.from_json(snapshot.to_json()) == snapshot


def test_added_removed_and_changed_render_one_line_each():
    index = Index(
        "public", "ix_org_name", "org", "CREATE INDEX ix_org_name ON public.org USING btree (name)", "btree"
    )
    before = CatalogSnapshot.of([index, Column("public", "org", "settings", "jsonb", True, "'{}'::jsonb")])
    after = CatalogSnapshot.of(
        [Extension("vector", "0.8.0", "public"), Column("public", "org", "settings", "jsonb", True, None)]
    )
    assert diff(before, after).render().splitlines() == [
        "+ extension vector: 0.8.0 in schema public",
        "~ column org.settings: default: '{}'::jsonb → (none)",
        "- index ix_org_name: CREATE INDEX ix_org_name ON public.org USING btree (name)",
    ]


def test_a_changed_multiline_definition_renders_as_a_line_diff():
    old = View("public", "org_summary", False, " SELECT id,\n    name\n   FROM org;")
    new = View("public", "org_summary", False, " SELECT id,\n    slug\n   FROM org;")
    rendered = diff(CatalogSnapshot.of([old]), CatalogSnapshot.of([new])).render()
    assert rendered.splitlines()[0] == "~ view org_summary: definition:"
    assert "      -    name" in rendered and "      +    slug" in rendered


def test_objects_outside_public_are_shown_with_their_schema():
    assert Column("billing", "invoice", "total", "bigint", True).label == "billing.invoice.total"
    assert Column("public", "invoice", "total", "bigint", True).label == "invoice.total"


@pytest.mark.parametrize(
    ("items", "owner", "normalized"),
    [
        (["alice=arwd/alice", "=r/alice"], "alice", ("(owner)=arwd/(owner)", "PUBLIC=r/(owner)")),
        (["alice=arwd/alice", "=r/alice"], None, ("PUBLIC=r/alice", "alice=arwd/alice")),
        (['"we=ird"=r/alice', "bob=U*/alice"], "alice", ("bob=U*/(owner)", "we=ird=r/(owner)")),
        (['"a""b"=X/"a""b"'], 'a"b', ("(owner)=X/(owner)",)),
    ],
)
def test_acls_are_normalized(items, owner, normalized):
    assert normalize_acl(items, owner) == normalized


def test_a_malformed_aclitem_is_an_error_naming_it():
    with pytest.raises(ValueError, match="nonsense"):
        normalize_acl(["nonsense"], None)


def test_an_unknown_section_or_field_is_refused():
    with pytest.raises(ValueError, match="tablez"):
        CatalogSnapshot.from_dict({"tablez": []})
    with pytest.raises(ValueError, match="colour"):
        CatalogSnapshot.from_dict({"extensions": [{"name": "x", "version": "1", "schema": "s", "colour": 1}]})


def test_two_different_objects_with_one_key_are_refused():
    a = Column("public", "org", "id", "uuid", True)
    b = Column("public", "org", "id", "bigint", True)
    assert CatalogSnapshot.of([a, a]).columns == (a,)
    with pytest.raises(ValueError, match=r"public\.org\.id"):
        CatalogSnapshot.of([a, b])


@pytest.mark.parametrize(
    ("url", "libpq"),
    [
        ("postgresql+psycopg://u:p@h:1/db", "postgresql://u:p@h:1/db"),
        ("postgresql://u:p@h:1/db", "postgresql://u:p@h:1/db"),
        ("host=h dbname=db", "host=h dbname=db"),
    ],
)
def test_sqlalchemy_urls_become_libpq_urls(url, libpq):
    assert libpq_url(url) == libpq
