"""The org table: the tenant anchor. Every tenant-owned table references it (org_id NOT NULL)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DDL, CheckConstraint, DateTime, Index, Text, Uuid, event, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, validates

from schema.models.base import Base
from schema.settings import validate_settings
from schema.slug import SLUG_CHECK_SQL, check_slug
from schema.triggers import SET_UPDATED_AT_FUNCTION, updated_at_trigger


class Org(Base):
    __tablename__ = "org"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, server_default=text("gen_random_uuid()"))
    name: Mapped[str] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        CheckConstraint(SLUG_CHECK_SQL, name="slug_format"),
        CheckConstraint("jsonb_typeof(settings) = 'object'", name="settings_is_object"),
        # Trigram index for fuzzy lookup by name (similarity(), ILIKE '%...%'); uses pg_trgm.
        Index(None, "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}),
    )

    @validates("slug")
    def _check_slug(self, _key: str, value: str) -> str:
        return check_slug(value)

    @validates("settings")
    def _check_settings(self, _key: str, value: Any) -> dict[str, Any]:
        return validate_settings(value)


# create_all() builds what revision 0001 builds: the extensions before the table, the trigger after it.
_BEFORE = ("CREATE EXTENSION IF NOT EXISTS pg_trgm", "CREATE EXTENSION IF NOT EXISTS vector")
_AFTER = (SET_UPDATED_AT_FUNCTION, updated_at_trigger("org"))
for _statement in _BEFORE:
    event.listen(Org.__table__, "before_create", DDL(_statement))  # type: ignore[no-untyped-call]
for _statement in _AFTER:
    event.listen(Org.__table__, "after_create", DDL(_statement))  # type: ignore[no-untyped-call]
