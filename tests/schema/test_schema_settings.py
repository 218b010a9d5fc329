"""org.settings validation: what is accepted, what is rejected and how the error names the field."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from schema_strategies import valid_settings

from schema.settings import InvalidSettings, OrgSettings, iana_timezones, validate_settings

pytestmark = pytest.mark.schema


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"locale": "de-DE", "timezone": "Europe/Berlin", "currency": "EUR", "feature_flags": {"beta": True}},
        {"locale": "de"},
        {"locale": "zh-Hant-TW"},
        {"locale": "es-419"},
        {"timezone": "UTC"},
        {"timezone": "America/Argentina/Buenos_Aires"},
        {"currency": "JPY"},
        {"feature_flags": {}},
        {"feature_flags": {"new_checkout": False, "a": True}},
    ],
)
def test_valid_settings_are_stored_exactly_as_given(value):
    assert validate_settings(value) == value


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ({"locale": "de_DE"}, "locale", r"settings\.locale: 'de_DE' is not a BCP 47 language tag"),
        ({"locale": "DE-de"}, "locale", "settings.locale"),
        ({"locale": 49}, "locale", r"settings\.locale: Input should be a valid string"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "'Mars/Olympus_Mons' is not an IANA time zone"),
        ({"timezone": "../../etc/passwd"}, "timezone", "is not an IANA time zone"),
        ({"timezone": "europe/berlin"}, "timezone", "is not an IANA time zone"),
        ({"currency": "eur"}, "currency", "'eur' is not an ISO 4217 currency code"),
        ({"currency": "XYZ"}, "currency", "'XYZ' is not an ISO 4217 currency code"),
        ({"currency": "EURO"}, "currency", "ISO 4217"),
        ({"feature_flags": {"beta": "true"}}, "feature_flags", r"settings\.feature_flags\.beta: .*boolean"),
        ({"feature_flags": {"beta": 1}}, "feature_flags", "boolean"),
        ({"feature_flags": {"Beta": True}}, "feature_flags", r"settings\.feature_flags\.Beta \(key\)"),
        ({"feature_flags": ["beta"]}, "feature_flags", "valid dictionary"),
        ({"locale": None}, "locale", "null is not a value here; leave the key out"),
        ({"timezon": "UTC"}, "timezon", r"settings\.timezon: unknown key \(known: locale, timezone"),
    ],
)
def test_invalid_settings_name_the_field(value, field, message):
    with pytest.raises(InvalidSettings, match=message) as caught:
        validate_settings(value)
    assert caught.value.fields == (field,)


@pytest.mark.parametrize("value", [[], "{}", 1, None, True, [("locale", "de")]])
def test_settings_must_be_an_object(value):
    with pytest.raises(InvalidSettings, match="org settings must be a JSON object") as caught:
        validate_settings(value)
    assert caught.value.fields == ("settings",)


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidSettings) as caught:
        validate_settings({"currency": "eur", "timezone": "Nowhere", "colour": "red"})
    assert set(caught.value.fields) == {"currency", "timezone", "colour"}


def test_the_model_is_frozen_and_typed():
    model = OrgSettings.model_validate({"timezone": "Europe/Berlin"})
    assert model.timezone == "Europe/Berlin"
    assert model.locale is None
    with pytest.raises(ValueError, match="frozen"):
        model.timezone = "UTC"  # type: ignore[misc]


def test_the_tz_database_is_there():
    """Without one every timezone would be rejected; the tests would pass for the wrong reason."""
    assert "Europe/Berlin" in iana_timezones()


@settings(max_examples=200)
@given(valid_settings())
def test_valid_settings_round_trip_through_json(value):
    stored = validate_settings(value)
    assert stored == value
    loaded = json.loads(json.dumps(stored))
    assert loaded == value
    assert validate_settings(loaded) == value
