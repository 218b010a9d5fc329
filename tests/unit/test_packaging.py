"""The wheel's package list (pyproject [tool.setuptools] packages) names every package folder of the
harness and of the packaged checks, and not the application's schema."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _packages_on_disk() -> set[str]:
    found = set()
    for top, name in (
        ("infra", "infra"),
        ("pytest_orderflow", "pytest_orderflow"),
        ("checks", "pytest_orderflow.checks"),
    ):
        for init in (ROOT / top).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT / top).parts
            found.add(".".join((name, *parts)))
    return found


def test_every_package_folder_is_in_the_wheel_and_schema_is_not():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    assert listed == _packages_on_disk()
    assert setuptools["package-dir"] == {"pytest_orderflow.checks": "checks"}
    assert not any(p == "schema" or p.startswith("schema.") for p in listed)
