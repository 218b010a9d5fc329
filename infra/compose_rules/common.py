"""What every Compose rule works on: the raw files as written, and a finding helper."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.compose_model import ComposeModel
from infra.findings import Finding


@dataclass(frozen=True)
class RawFile:
    path: Path
    text: str
    doc: Mapping[str, Any]

    def services(self) -> Mapping[str, Mapping[str, Any]]:
        return self.doc.get("services") or {}


Rule = Callable[[list[RawFile], ComposeModel], list[Finding]]


def finding(check_id: str, where: str, expected: str, found: str, hint: str = "") -> Finding:
    return Finding(check_id, where, expected, found, hint)
