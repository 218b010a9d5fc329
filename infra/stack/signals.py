"""SIGINT and SIGTERM end a command within seconds, through the same cleanup path.

Why: SIGTERM's default action ends the process without running any cleanup, leaving a running
stack behind (IDEs, `timeout`, CI cancel send it); and a second Ctrl-C during cleanup used to cut
the cleanup short. SIGTERM becomes KeyboardInterrupt, and cleanup (bounded by its own timeouts)
runs with both signals held off.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM; the message says what was left behind."""


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def terminate_as_interrupt() -> None:
    """From now on SIGTERM raises KeyboardInterrupt in the main thread (so `finally` blocks run)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)


@contextmanager
def held_off() -> Iterator[None]:
    """Ignore SIGINT/SIGTERM for the duration (cleanup that must finish); no-op off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
