"""How much of a history each walk check examined: "42/124 revisions compared", and which revisions
were not examined and why. A check that examined fewer than all says so (skip or fail), never a
silent pass: revisions declared irreversible are counted apart, as the user excluded them."""

from __future__ import annotations

from dataclasses import dataclass, field

from infra.migrations.data import data_findings
from infra.migrations.roundtrip import REUPGRADE_IDENTICAL, STEPWISE_ROUNDTRIP
from infra.migrations.walker import Walk

_UNREACHED = ("not reached", "upgrade failed")


@dataclass(frozen=True)
class Coverage:
    check_id: str
    examined: int
    total: int
    declared: int = 0
    missing: list[str] = field(default_factory=list)  # "u3: upgrade failed"

    @property
    def complete(self) -> bool:
        return self.examined + self.declared >= self.total

    def line(self) -> str:
        text = f"{self.examined}/{self.total} revisions compared"
        return f"{text}, {self.declared} declared irreversible" if self.declared else text

    def why_not(self, limit: int = 5) -> str:
        shown = "; ".join(self.missing[:limit])
        more = f"; and {len(self.missing) - limit} more" if len(self.missing) > limit else ""
        return f"not examined: {shown}{more}" if shown else ""


def coverage(walk: Walk, check_id: str) -> Coverage:
    """What the walk examined for `check_id` (stepwise round trip, re-upgrade, data survival)."""
    examined, declared, missing = 0, 0, []
    for step in walk.steps:
        status = step.status
        if check_id == data_findings.check.id:
            done, excused = not status.startswith(_UNREACHED), False
        elif check_id == STEPWISE_ROUNDTRIP.id:
            excused = status.startswith("declared")
            done = not excused and not status.startswith(_UNREACHED)
        elif check_id == REUPGRADE_IDENTICAL.id:
            excused = status.startswith("declared")
            done = status in ("round-tripped", "re-upgrade failed")
        else:
            raise ValueError(check_id)
        examined += done
        declared += excused
        if not done and not excused:
            missing.append(f"{step.revision}: {status}")
    return Coverage(check_id, examined, len(walk.steps), declared, missing)
