"""The org table: the tenant anchor. Every tenant-owned table references it (`org_id uuid NOT NULL`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DDL, CheckConstraint, DateTime, FetchedValue, Index, Text, Uuid, event, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, validates

from schema import ddl
from schema.models.base import Base
from schema.settings import validate_settings
from schema.slug import SLUG_CHECK_SQL, check_slug

EXTENSIONS = ("pg_trgm", "vector")  # revision 0001 enables them; org.name's index needs pg_trgm


class Org(Base):
    """A customer organisation. Assign `settings` as a whole dict: in-place changes are not tracked."""

    __tablename__ = "org"
    # Read server-set values back with RETURNING on UPDATE too (updated_at), so that objects stay
    # complete after commit (sessions use expire_on_commit=False) instead of lazy-loading later.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 -- SQLAlchemy's declarative API

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The trigger sets it on UPDATE; FetchedValue makes the ORM read the new value back after a flush.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), server_onupdate=FetchedValue()
    )

    __table_args__ = (
        CheckConstraint(SLUG_CHECK_SQL, name="slug_format"),
        CheckConstraint("jsonb_typeof(settings) = 'object'", name="settings_is_object"),
        # Trigram index for fuzzy lookup by name (similarity(), ILIKE '%...%').
        Index(None, "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    @validates("slug")
    def _check_slug(self, _key: str, value: object) -> str:
        return check_slug(value)

    @validates("settings")
    def _check_settings(self, _key: str, value: object) -> dict[str, Any]:
        return validate_settings(value)


def _listen(event_name: str, statement: str) -> None:
    event.listen(Org.__table__, event_name, DDL(statement))  # type: ignore[no-untyped-call]


# create_all() builds what revision 0001 builds, from the same SQL: extensions before the table, the
# trigger after it; drop_all() removes them again.
for _name in EXTENSIONS:
    _listen("before_create", ddl.create_extension(_name))
_listen("after_create", ddl.CREATE_SET_UPDATED_AT)
_listen("after_create", ddl.create_updated_at_trigger("org"))
_listen("after_drop", ddl.DROP_SET_UPDATED_AT)
for _name in reversed(EXTENSIONS):
    _listen("after_drop", ddl.drop_extension(_name))
