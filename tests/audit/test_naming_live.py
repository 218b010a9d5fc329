"""The audit expects the names `create_all()` really creates: long names shortened by SQLAlchemy, long
UTF-8 names cut by PostgreSQL at 63 bytes, checked against a live database's catalog."""

from __future__ import annotations

import sqlalchemy as sa

from infra.audit import audit
from infra.audit.names import constraint_names, index_names
from infra.audit.naming import NameSpec, convention_name, final_name
from infra.catalog import snapshot
from infra.findings import render_all
from tests.audit.convention import CONVENTION

LONG = "payment_reconciliation_adjustment_settlement"  # 44 characters: every name below is too long
ACCENTED = "échéance_é" + "é" * 20  # 31 characters, 61 bytes


def models() -> sa.MetaData:
    md = sa.MetaData(naming_convention=CONVENTION)
    sa.Table("org", md, sa.Column("id", sa.Uuid, primary_key=True))
    sa.Table(
        LONG,
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("org_id", sa.Uuid, sa.ForeignKey("org.id"), nullable=False),
        sa.Column("settlement_reference", sa.Text),
        sa.Column("counterparty_reference", sa.Text),
        sa.UniqueConstraint("settlement_reference", "counterparty_reference"),
        sa.CheckConstraint("settlement_reference <> counterparty_reference", name="references_differ_always"),
        sa.Index(None, "org_id", "settlement_reference", "counterparty_reference"),
    )
    sa.Table(
        "facture",
        md,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(ACCENTED, sa.Text),
        sa.Index(None, ACCENTED),  # 41 characters, 71 bytes: PostgreSQL cuts it
        sa.UniqueConstraint(ACCENTED, "id"),  # 44 characters, 74 bytes
    )
    return md


def test_create_all_names_are_what_the_audit_expects(scratch_database_url):
    engine = sa.create_engine(scratch_database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            models().create_all(conn)
        snap = snapshot(engine)
    finally:
        engine.dispose()
    findings = audit(snap, CONVENTION, rules=[constraint_names.id, index_names.id])
    assert not findings, render_all(findings)
    indexes = {i.name for i in snap.indexes}
    accented = convention_name(CONVENTION, NameSpec("ix", "facture", (ACCENTED,)))
    assert accented is not None and len(accented) < 63 < len(accented.encode())
    assert final_name(accented) in indexes  # cut by PostgreSQL, on a character boundary
    long_ix = convention_name(CONVENTION, NameSpec("ix", LONG, ("org_id", "settlement_reference")))
    assert long_ix is not None
    assert any(len(name) == 60 and name.startswith(long_ix[:55]) for name in indexes)  # hashed


def test_a_misnamed_constraint_among_them_is_still_found(scratch_database_url):
    engine = sa.create_engine(scratch_database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            models().create_all(conn)
            conn.execute(sa.text(f"ALTER TABLE {LONG} RENAME CONSTRAINT pk_{LONG} TO {LONG}_pkey"))
        findings = audit(snapshot(engine), CONVENTION, rules=[constraint_names.id])
    finally:
        engine.dispose()
    assert [f.where for f in findings] == [f"primary key {LONG}_pkey on {LONG}"]
    assert findings[0].expected == f"'pk_{LONG}'"
