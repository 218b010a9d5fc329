import sqlalchemy as sa

metadata = sa.MetaData()
org = sa.Table("org", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("slug", sa.Text))
member = sa.Table(
    "member",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("org_slug", sa.Text, sa.ForeignKey("org.slug")),  # org.slug is not unique
)
