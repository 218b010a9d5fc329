"""Keep secrets out of reports and logs: one masking function (`mask`) for every channel.

`mask` hides, in any text (console line, JSON, Markdown, JUnit, relayed `docker compose` output):
- known secret values (secret-named variables of the env file and the process env), as WHOLE
  values: a secret inside a longer name ("myproj" in "myproj-db") is a name, not the secret;
  a secret that is also a public name (`NameLike`: equal to a project, service or non-secret
  value, e.g. a password `postgres`) only where it stands as a value (`=x`, `: x`, `'x'`, `:x@`);
- SQL password literals (`PASSWORD '...'`) and DSN passwords (userinfo, `?password=`,
  `password=...` key/value), whoever wrote them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

# Passwords (PG_PASS, POSTGRES_PWD), secrets, tokens, salts, auth strings (REDIS_AUTH), keys.
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PASSPHRASE|SALT|(?:^|_)(?:KEY|PASS|PWD|AUTH)$")

MASK = "***"
MIN_SECRET_LEN = 4  # shorter values would blank ordinary words; such a secret is no secret anyway

# `PASSWORD 'x'`, `ENCRYPTED PASSWORD E'x'` (quotes doubled or escaped inside), `PASSWORD $$x$$`.
_SQL_PASSWORD = re.compile(r"(?i)(\bPASSWORD\s+E?)('(?:[^'\\]|''|\\.)*'|\$([A-Za-z_]*)\$.*?\$\3\$)", re.S)
_USERINFO = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s\"]*:)([^@\s/\"]+)(@)")
_QUERY_PASSWORD = re.compile(r"(?i)([?&;]password=)([^&\s'\"]+)")
# libpq key/value: `host=x password=y` (keywords are lowercase); `password=${X}` is a reference.
_KV_PASSWORD = re.compile(r"((?:^|(?<=[\s'\"]))password\s*=\s*)('(?:[^'\\]|\\.)*'|(?!\$)[^\s'\"]+)")
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")


class NameLike(str):
    """A secret value that is also a public name (a project, a service, a user called `postgres`):
    masked only where it stands as a value, so names in messages stay readable."""


# The shell's working directories: named like a password (`PWD`), but a path every message names.
_SHELL_PATHS = frozenset({"PWD", "OLDPWD"})


def is_secret_name(name: str) -> bool:
    """Whether a variable's value must be treated as a secret (masked, generated, never defaulted)."""
    return name.upper() not in _SHELL_PATHS and bool(_SECRET_NAME.search(name.upper()))


def secret_values(env: Mapping[str, str], names: Iterable[str] = ()) -> list[str]:
    """Values of secret-named variables, longest first (so overlapping values mask fully); one equal
    to a non-secret value of `env` or to one of `names` comes back as a `NameLike`."""
    public = {v.lower() for k, v in env.items() if v and not is_secret_name(k)} | {n.lower() for n in names}
    found = {v for k, v in env.items() if v and is_secret_name(k)}
    return sorted((NameLike(v) if v.lower() in public else v for v in found), key=len, reverse=True)


def mask_sql_secrets(text: str) -> str:
    """`PASSWORD '...'` literals (CREATE/ALTER ROLE, CREATE USER MAPPING) become `PASSWORD '***'`."""
    return _SQL_PASSWORD.sub(lambda m: f"{m.group(1)}'{MASK}'", text)


def mask_dsn(dsn: str) -> str:
    """A DSN (URL or libpq key/value) with its password masked wherever it sits."""
    dsn = _USERINFO.sub(rf"\1{MASK}\3", dsn)
    dsn = _QUERY_PASSWORD.sub(rf"\1{MASK}", dsn)
    return _KV_PASSWORD.sub(rf"\1{MASK}", dsn)


@lru_cache(maxsize=512)
def _value_pattern(value: str, name_like: bool) -> re.Pattern[str]:
    """Where `value` stands whole: no name character glued to either end; for a NameLike also only
    after `=`, `:`, a quote, or `: `/`= ` (a value position)."""
    head = r"(?<![A-Za-z0-9_.-])" if _NAME_CHAR.match(value[0]) else ""
    tail = r"(?![A-Za-z0-9_-]|\.[A-Za-z0-9_])" if _NAME_CHAR.match(value[-1]) else ""
    if name_like:
        head = r"(?:(?<=[=:'\"])|(?<=[=:] ))"
    return re.compile(head + re.escape(value) + tail)


def _variants(value: str) -> set[str]:
    """The value as written, and as JSON writes it inside a string (quotes, backslashes escaped)."""
    return {value, json.dumps(value)[1:-1]}


def mask(text: str, secrets: Iterable[str]) -> str:
    """The one masking function: known secrets as whole values, SQL and DSN passwords by shape."""
    text = mask_dsn(mask_sql_secrets(text))
    for value in secrets:
        if len(value) < MIN_SECRET_LEN:
            continue
        for variant in _variants(value):
            text = _value_pattern(variant, isinstance(value, NameLike)).sub(MASK, text)
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
