import sqlalchemy as sa

metadata = sa.MetaData()
org = sa.Table(
    "org",
    metadata,
    sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("slug", sa.Text(), nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint("id", name="pk_org"),
    sa.UniqueConstraint("slug", name="uq_org_slug"),
)
