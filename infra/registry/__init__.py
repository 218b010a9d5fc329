"""Every check the harness runs, collected from the code that produces its findings.

A check is declared once, where its findings are made: `@produces("<concern>.<name>")` on a
function whose docstring gives the title and `Why:` (compose rules, probes, migration checks),
`@rule(...)` for the convention audit, or `declare(...)` for a check several functions share.
This package only collects them: it imports every module of the producer packages and keeps each
declared Check. Ids never change meaning; a retired check's id is not reused.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache
from types import ModuleType

from infra.findings import Check, check_of

# The packages whose modules declare checks; a new producer package is added here.
PRODUCERS = ("infra.compose.rules", "infra.probes", "infra.migrations", "infra.audit", "infra.safety")
# What the extras of the distribution bring (pyproject [project.optional-dependencies]): a module
# that needs a missing one declares checks that cannot run here, so it is left out, as their pytest
# modules skip (pytest.importorskip).
OPTIONAL = frozenset({"testinfra", "redis", "minio", "hypothesis"})


def _modules(package_name: str) -> Iterator[ModuleType]:
    package = importlib.import_module(package_name)
    yield package
    for info in sorted(pkgutil.walk_packages(package.__path__, f"{package_name}."), key=lambda m: m.name):
        try:
            yield importlib.import_module(info.name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in OPTIONAL:
                raise


def _declared(module: ModuleType) -> Iterator[Check]:
    for value in vars(module).values():
        if isinstance(value, Check) or isinstance(getattr(value, "check", None), Check):
            yield check_of(value)


@cache
def all_checks() -> dict[str, Check]:
    """All declared checks by id, sorted; one id declared by two different Checks is an error."""
    found: dict[str, Check] = {}
    for package in PRODUCERS:
        for module in _modules(package):
            for check in _declared(module):
                if found.setdefault(check.id, check) is not check:
                    raise ValueError(f"check id {check.id!r} declared twice (again in {module.__name__})")
    return dict(sorted(found.items()))


__all__ = ["PRODUCERS", "Check", "all_checks"]
