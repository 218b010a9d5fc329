"""Keep secrets out of reports and logs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Passwords (PG_PASS, POSTGRES_PWD), secrets, tokens, salts, auth strings (REDIS_AUTH), keys.
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|SALT|(?:^|_)(?:KEY|PASS|PWD|AUTH)$")

MASK = "***"


def is_secret_name(name: str) -> bool:
    """Whether a variable's value must be treated as a secret (masked, generated, never defaulted)."""
    return bool(_SECRET_NAME.search(name.upper()))


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


def cut(text: str, secrets: Iterable[str], limit: int) -> str:
    """Mask, then shorten to `limit` characters: cutting first could leave a secret's head unmasked."""
    masked = mask(text, secrets)
    return masked if len(masked) <= limit else masked[: limit - 3] + "..."


class Secret(str):
    """A str whose repr is masked: pytest's frame arguments, assertion reprs and JUnit XML show ***.

    It is still the value itself for every other use (passing it to a client, formatting with {}).
    """

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"


class SecretEnv(dict[str, str]):
    """Env values whose repr masks the secret-named ones (a fixture value or frame local stays safe)."""

    def __repr__(self) -> str:
        return f"SecretEnv({masked_env(self)!r})"


# `PASSWORD '...'` in SQL (CREATE/ALTER ROLE|USER, ENCRYPTED PASSWORD, dblink/FDW `password '...'`):
# the quoted literal, E'...' or $tag$...$tag$ after it.
_SQL_PASSWORD = re.compile(
    r"(\bPASSWORD\s*=?\s*)(E?'(?:[^']|'')*'|(\$[A-Za-z_0-9]*\$).*?\3)", re.IGNORECASE | re.DOTALL
)
_DSN_USERINFO = re.compile(r"(://[^/?#@:]*:)[^/?#]*(@)")  # to the last @: a raw @ in a password
_DSN_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&#\s]*", re.IGNORECASE)
_DSN_PASSWORD_KEYWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']+)", re.IGNORECASE)


def mask_sql_secrets(text: str) -> str:
    """SQL with every `PASSWORD '...'` literal replaced by `PASSWORD '***'`."""
    return _SQL_PASSWORD.sub(lambda m: f"{m[1]}'{MASK}'", text)


def mask_dsn(dsn: str) -> str:
    """A database URL or libpq key=value string with its password masked wherever it sits: userinfo
    (`user:pw@`), a `?password=` parameter, a `password=` keyword."""
    text = _DSN_USERINFO.sub(rf"\g<1>{MASK}\g<2>", str(dsn))
    text = _DSN_PASSWORD_PARAM.sub(rf"\g<1>{MASK}", text)
    if "://" not in text:
        text = _DSN_PASSWORD_KEYWORD.sub(rf"\g<1>{MASK}", text)
    return text
