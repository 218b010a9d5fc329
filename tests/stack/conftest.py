"""Fixtures for the lifecycle fault tests: images, env and checkouts that clean up after themselves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.stack.isolation import free_port, generated_secret
from infra.stack.prune import remove_project
from tests.stack.checkout import Checkout


@pytest.fixture
def images(live_stack) -> dict[str, str]:
    return {name: s.image for name, s in live_stack.stack.model.services.items()}


@pytest.fixture
def pg_env(images) -> dict[str, str]:
    return {
        "PG_IMAGE": images["postgres"],
        "POSTGRES_USER": "fault",
        "POSTGRES_PASSWORD": generated_secret(),
        "POSTGRES_DB": "fault",
        "POSTGRES_PORT": str(free_port()),
    }


@pytest.fixture
def checkouts(tmp_path) -> Iterator[list[Checkout]]:
    """Checkouts made by the test; every project they name is removed afterwards."""
    made: list[Checkout] = []
    yield made
    for project in {p for c in made for p in c.projects}:
        remove_project(project, volumes=True)
