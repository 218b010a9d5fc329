"""Every check the harness runs, each with a stable id, its concern, and why it exists.

A check's id is what pytest marks it with (`@pytest.mark.check(id)`), what its negative cases in
tests/ name (`@pytest.mark.negative(id)`), and what reports carry. Ids never change meaning;
a retired check's id is not reused. Checks are declared in `infra/registry/<concern>.py`, each
module holding `CHECKS: tuple[Check, ...]`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    id: str
    concern: str
    title: str
    why: str


def all_checks() -> dict[str, Check]:
    """All declared checks by id; a duplicate id is a programming error."""
    found: dict[str, Check] = {}
    package = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for check in module.CHECKS:
            if check.id in found:
                raise ValueError(f"check id {check.id!r} declared twice (in {info.name})")
            found[check.id] = check
    return found
