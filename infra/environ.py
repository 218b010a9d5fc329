"""The environment of the child processes the harness starts (`docker compose`, `git`).

Compose reads variables from its process environment, so a stack's values reach it by overlaying them
on this process's environment: one helper, so that overlay is written (and reviewed) once. Which
knobs the harness itself reads from the environment is infra.config's business, not this module's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


def child_env(overrides: Mapping[str, str] | None) -> dict[str, str] | None:
    """This process's environment with `overrides` on top; None (inherit as is) without overrides."""
    if overrides is None:
        return None
    return {**os.environ, **overrides}
