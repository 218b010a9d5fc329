"""The schema of `org.settings`: validated on every write, stored as the keys that were set.

Unknown keys are rejected (`extra="forbid"`): a typo such as `timezon` would otherwise be stored,
ignored by every reader, and discovered months later. Types are strict: `"true"` is not a bool.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from schema.currencies import ISO_4217

# BCP 47 subset: language (2-3 letters), optional script (4), optional region (2 letters or 3 digits).
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
FLAG_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
FlagName = Annotated[str, StringConstraints(pattern=FLAG_NAME_PATTERN)]


class InvalidSettings(ValueError):
    """Settings that do not match the schema; the message names the field."""


class OrgSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    locale: str | None = Field(default=None, pattern=LOCALE_PATTERN, description="BCP 47, e.g. de-DE")
    timezone: str | None = Field(default=None, description="IANA time zone, e.g. Europe/Berlin")
    currency: str | None = Field(default=None, description="ISO 4217 code, e.g. EUR")
    feature_flags: dict[FlagName, bool] = Field(default_factory=dict, description="flag name -> on/off")

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", value):
            raise ValueError(f"{value!r} is not an IANA time zone name")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name") from None
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is not None and value not in ISO_4217:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value


def validate_settings(raw: Any) -> dict[str, Any]:
    """The settings as stored: validated, only the keys that were given. Raises InvalidSettings."""
    if not isinstance(raw, dict):
        raise InvalidSettings(f"org settings must be a JSON object, not {type(raw).__name__}")
    try:
        model = OrgSettings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise InvalidSettings(f"org settings field {field!r}: {first['msg']}") from None
    return model.model_dump(exclude_unset=True)
