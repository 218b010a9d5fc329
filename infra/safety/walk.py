"""The safety trace inside the stepwise walk: the walk hands each revision's first upgrade connection
to `WalkTrace.attach`, which records every statement (infra.safety.trace), and asks `judge` for the
rules' findings minus the revision file's suppressions (infra.safety.run.judge).

Why in the walk rather than a second run: the walk already upgrades every revision once on a seeded
database; tracing that upgrade costs one look at the server per statement instead of a second
database, a second seeding and a second upgrade of the whole history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from infra.migrations.tree import AlembicTree, Observe
from infra.migrations.walker import Traced
from infra.safety import rules
from infra.safety.report import markdown, trace_doc
from infra.safety.run import judge
from infra.safety.trace import Trace, Tracer

# A failed upgrade is the walk's to judge: it retries without the generated rows and reports a failure
# caused by them as a data finding, any other as the upgrade failing (one cause, one finding).
_WALK_JUDGES = rules.upgrade_on_data.id


class WalkTrace:
    """A TraceHook for infra.migrations.roundtrip.stepwise_roundtrip."""

    check_ids: tuple[str, ...] = tuple(r for r in rules.RULES if r != _WALK_JUDGES)

    def __init__(self, tree: AlembicTree) -> None:
        self.tree = tree
        self.traces: dict[str, Trace] = {}

    def attach(self, revision: str, start: str | None) -> Observe:
        @contextmanager
        def recording(conn: sa.Connection) -> Iterator[object]:
            with Tracer(conn).attached() as trace:
                trace.start_version = start
                self.traces[revision] = trace
                yield trace

        return recording

    def judge(self, revision: str) -> Traced:
        trace = self.traces.get(revision)
        if trace is None:  # the command failed before it had a connection
            return Traced(0)
        for st in trace.statements:
            st.revision = st.revision or revision  # a failed upgrade never stamped its version
        trace.failed = next((s.error for s in trace.statements if s.error), None)
        kept, excused = judge(self.tree, trace)
        kept = [f for f in kept if f.check_id != _WALK_JUDGES]
        shown = kept + [f for f, _ in excused]
        return Traced(
            sum(1 for s in trace.statements if not s.bookkeeping),
            kept,
            [(f, s.reason) for f, s in excused],
            markdown(trace, shown, suppressed={f.where: s.reason for f, s in excused}),
            trace_doc(trace),
        )
