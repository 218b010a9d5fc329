"""The one error type the harness raises for bad input or a failed step: a message and a hint."""

from __future__ import annotations


def describe(exc: BaseException, limit: int | None = None) -> str:
    """`Type: message` on one line (whitespace collapsed), the message cut at `limit` characters."""
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:limit]}"


class HarnessError(Exception):
    """A problem the user can act on: one line naming it, and a hint saying what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        """The message and hint on a single line, as the CLI prints it."""
        return f"{self.message}. Hint: {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.one_line()
