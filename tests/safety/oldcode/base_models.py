"""The models of the release before the change: org (a1) and item (a2) as they are at the base ref."""

import sqlalchemy as sa

metadata = sa.MetaData()
org = sa.Table(
    "org",
    metadata,
    sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("slug", sa.Text(), nullable=False, unique=True),
)
item = sa.Table(
    "item",
    metadata,
    sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), primary_key=True),
    sa.Column("org_id", sa.Uuid(), sa.ForeignKey("org.id"), nullable=False),
    sa.Column("code", sa.Text(), nullable=False),
    sa.Column("label", sa.String(50), nullable=False),
    sa.Column("qty", sa.Integer()),
    sa.Column("note", sa.Text()),
)
