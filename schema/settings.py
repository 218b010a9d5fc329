"""The schema of `org.settings`, validated on every write through the ORM.

Decisions:
- Unknown keys are rejected (`extra="forbid"`): a typo such as `timezon` would otherwise be stored,
  ignored by every reader, and found months later. A new setting is a new field here, reviewed.
- Types are strict: `"true"` is not a bool, `1` is not a string.
- A key is either absent (the default applies) or holds a valid value; `null` is rejected, so there
  is one way to say "unset" and what is stored is exactly what was given.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator
from pydantic_core import ErrorDetails

from schema.currencies import ISO_4217

# BCP 47 subset: language (2-3 letters), optional script (4 letters), optional region (2 letters or
# 3 digits): "de", "de-DE", "zh-Hant-TW", "es-419". Variants and extensions are not accepted.
LOCALE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?")
FLAG_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
FlagName = Annotated[str, StringConstraints(pattern=FLAG_NAME_PATTERN)]


class InvalidSettings(ValueError):
    """Settings that do not match OrgSettings; the message and `fields` name the bad fields."""

    def __init__(self, message: str, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


@cache
def iana_timezones() -> frozenset[str]:
    """The IANA zone keys the system's tz database knows (read once)."""
    return frozenset(available_timezones())


class OrgSettings(BaseModel):
    """What an org may configure. Every field is optional; absent means "use the default"."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    locale: str | None = Field(default=None, description="BCP 47 language tag, e.g. de-DE")
    timezone: str | None = Field(default=None, description="IANA time zone, e.g. Europe/Berlin")
    currency: str | None = Field(default=None, description="ISO 4217 code, e.g. EUR")
    feature_flags: dict[FlagName, bool] | None = Field(default=None, description="flag name -> on/off")

    @field_validator("locale", "timezone", "currency", "feature_flags", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("null is not a value here; leave the key out to use the default")
        return value

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if not LOCALE_PATTERN.fullmatch(value):
            raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'de' or 'de-DE'")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        known = iana_timezones()
        if value not in known:
            hint = "" if known else " (no tz database found: install the tzdata package)"
            raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/Berlin'{hint}")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code such as 'EUR'")
        return value


def _describe(error: ErrorDetails) -> str:
    where = ".".join(["settings", *(str(part) for part in error["loc"])]).replace(".[key]", " (key)")
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key (known: {', '.join(OrgSettings.model_fields)})"
    return f"{where}: {error['msg'].removeprefix('Value error, ')}"


def validate_settings(raw: Any) -> dict[str, Any]:
    """The settings to store: exactly the keys given, validated. Raises InvalidSettings."""
    if not isinstance(raw, dict):
        raise InvalidSettings(
            f"org settings must be a JSON object (a dict), not {type(raw).__name__}", ("settings",)
        )
    try:
        model = OrgSettings.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        fields = tuple(dict.fromkeys(str(e["loc"][0]) if e["loc"] else "settings" for e in errors))
        details = "; ".join(_describe(e) for e in errors)
        raise InvalidSettings(f"org settings invalid: {details}", fields) from None
    return model.model_dump(exclude_unset=True)
