"""Throwaway containers from the live stack's own images, for the container checks' negative cases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from infra.probes.containers import ContainerTarget
from infra.stack.throwaway import throwaway_container


@pytest.fixture
def broken_container(live_stack) -> Iterator[Callable[..., tuple[Any, ContainerTarget]]]:
    """Start a container from a stack service's image, configured wrong on purpose; the target
    says it stands for that service. Every container started is removed after the test."""
    with ExitStack() as stack:

        def start(service: str, **options: Any) -> tuple[Any, ContainerTarget]:
            image = live_stack.stack.model.services[service].image
            container = stack.enter_context(throwaway_container(image, **options))
            return container, ContainerTarget(service, container.name, image, live_stack.stack.profile)

        yield start
