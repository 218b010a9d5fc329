"""Which stack is this checkout's: the project a command acts on when none is named.

Two clones of one repository share the compose file's `name:`. The first clone's `up` owns that
project; a second clone's `up` then picks a project of its own, named after its checkout (stable, so
every later command finds it again), with free ports and generated credentials kept in its saved
state, and says so. `--project NAME` names one explicitly (`.ci/run stack` also takes it from
ORDERFLOW_PROJECT).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from infra.config import HarnessConfig
from infra.errors import HarnessError
from infra.stack import opener, state
from infra.stack.endpoints import Endpoints
from infra.stack.ownership import other_checkout


def own_project_name(default: str, checkout: Path) -> str:
    """`<default>-<folder>-<hash>`: this checkout's own project, the same on every run.

    >>> own_project_name("orderflow", Path("/home/me/src/orderflow-b"))
    'orderflow-orderflow-b-66f80d'
    """
    folder = "".join(c for c in checkout.name.lower() if c.isalnum() or c in "-_")[:20] or "checkout"
    digest = hashlib.sha256(str(checkout.resolve()).encode()).hexdigest()[:6]
    return f"{default}-{folder}-{digest}"


@dataclass(frozen=True)
class Choice:
    project: str
    isolated: bool
    note: str = ""  # said to the user when the project was chosen for them


def for_up(config: HarnessConfig, explicit: str | None, isolated: bool) -> Choice:
    """The project `up` starts: the one named; else the file's, unless another checkout's containers
    hold it, then this checkout's own (isolated: own ports and credentials)."""
    if explicit or isolated:
        return Choice(opener.project_name(config, explicit, isolated), isolated)
    default = opener.project_name(config)
    checkout = config.compose_file.parent
    own = own_project_name(default, checkout)
    if has_state(config, own):
        return Choice(own, True, f"this checkout's stack is project {own} (pass --project NAME for another)")
    owner = foreign_owner(config, default)
    if owner is None:
        return Choice(default, False)
    return Choice(
        own,
        True,
        f"project {default} belongs to the checkout at {owner}; this checkout's own stack is {own} "
        "(free ports, generated credentials; pass --project NAME to choose the name)",
    )


def for_existing(config: HarnessConfig, explicit: str | None) -> str:
    """The project status, down and the schema commands act on: the one named, else this checkout's
    own when it has saved state for one, else the file's."""
    if explicit:
        return explicit
    default = opener.project_name(config)
    own = own_project_name(default, config.compose_file.parent)
    return own if has_state(config, own) else default


def foreign_owner(config: HarnessConfig, project: str) -> str | None:
    """The other checkout whose containers hold `project`, or None (also when no engine answers)."""
    try:
        return other_checkout(opener.reopen(config, project).working_dir(), config.compose_file.parent)
    except HarnessError:
        return None


def has_state(config: HarnessConfig, project: str) -> bool:
    return state.load(config.state_dir, project) is not None


def database_urls(config: HarnessConfig, project: str) -> tuple[str, str]:
    """(libpq URL, SQLAlchemy URL) of a running stack's PostgreSQL, from its saved state: the
    password stays in the stack's password file, which the URLs name."""
    stack = opener.reopen(config, project)
    if not has_state(config, project):
        raise HarnessError(
            f"project {project} has no saved state in {state.stacks_dir(config.state_dir)}",
            f"start it with `python -m infra up --project {project}`, or pass --database-url",
        )
    status = stack.status()
    running = status.services.get("postgres")
    if running is None or running.state not in ("healthy", "running"):
        raise HarnessError(
            f"project {project}: service postgres is {running.state if running else 'not running'}",
            f"start it with `python -m infra up --project {project}`",
        )
    endpoints = Endpoints(stack.env, status, stack.passfile)
    return endpoints.postgres_dsn(), endpoints.postgres_url()
