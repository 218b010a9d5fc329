import sqlalchemy as sa

metadata = sa.MetaData()
org = sa.Table(
    "org",
    metadata,
    sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("slug", sa.Text(), nullable=False),
    sa.Column("note", sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint("id", name="pk_org"),
    sa.UniqueConstraint("slug", name="uq_org_slug"),
)
member = sa.Table(
    "member",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("org_id", sa.Uuid(), sa.ForeignKey("org.id", name="fk_member_org_id_org"), nullable=False),
    sa.Column("email", sa.Text(), nullable=False),
)
sa.Index("ix_member_email", member.c.email)
