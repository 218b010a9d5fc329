"""Run inside a small pytest session by tests/stack/test_faults_runs.py: it holds the session stack
(as a long test would) until the outer test sends SIGTERM to pytest."""

import os
import threading
from pathlib import Path

import pytest


@pytest.mark.infra
def test_runs_until_terminated(live_stack):
    Path(os.environ["ORDERFLOW_LEAK_PROBE"]).write_text(live_stack.stack.project)
    threading.Event().wait(120)  # a long test; SIGTERM ends it
