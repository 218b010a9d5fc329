"""Progress for long steps: a live line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    """Reports steps to a stream (stderr by default, so `--json` stdout stays clean)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def update(self, text: str) -> None:
        """A transient status line: redrawn in place on a terminal, skipped in plain logs."""
        if self.tty and not self.quiet:
            self.stream.write(f"\r\033[K{text}")
            self.stream.flush()

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        started = time.monotonic()
        if self.tty and not self.quiet:
            self.update(f"{title} ...")
        else:
            self.say(f"{title} ...")
        try:
            yield
        except BaseException:
            self.update("")
            self.say(f"{title}: failed after {time.monotonic() - started:.1f}s")
            raise
        self.update("")
        self.say(f"{title}: done in {time.monotonic() - started:.1f}s")
