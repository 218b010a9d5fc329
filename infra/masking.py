"""Keep secrets out of reports and logs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from infra.envfile import is_secret_name

MASK = "***"


def secret_values(env: Mapping[str, str]) -> list[str]:
    """Values of secret-named variables, longest first (so overlapping values mask fully)."""
    return sorted({v for k, v in env.items() if v and is_secret_name(k)}, key=len, reverse=True)


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of every secret (4+ characters) with ***."""
    for value in secrets:
        if len(value) >= 4:
            text = text.replace(value, MASK)
    return text


def masked_env(env: Mapping[str, str]) -> dict[str, str]:
    """A copy safe to print: secret-named values become ***."""
    return {k: (MASK if v and is_secret_name(k) else v) for k, v in env.items()}
