import sqlalchemy as sa

metadata = sa.MetaData()
org = sa.Table(
    "org",
    metadata,
    sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("slug", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("id", name="pk_org"),
    sa.UniqueConstraint("slug", name="uq_org_slug"),
)
org.append_column(sa.Column("note", sa.Text(), nullable=True))
org.append_constraint(sa.CheckConstraint("length(note) <= 200", name="ck_org_note_length"))
sa.Index("ix_org_name", org.c.name)
