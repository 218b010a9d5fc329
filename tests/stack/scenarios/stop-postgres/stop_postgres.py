"""Run first, inside a small pytest session started by tests/stack/test_secrets.py: it records the
session stack's password where only the outer test looks, then stops PostgreSQL mid-run, so the
checks that follow fail the way they would if the database died."""

import os
from pathlib import Path

import pytest


@pytest.mark.infra
def test_stop_postgres(live_stack):
    Path(os.environ["ORDERFLOW_LEAK_PROBE"]).write_text(live_stack.stack.env["POSTGRES_PASSWORD"])
    live_stack.stack.containers()["postgres"].stop(timeout=10)
