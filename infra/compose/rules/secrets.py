"""Credentials: only from the environment, required, never defaulted or written in the file.

Read from each service's YAML values as written (comments are not values; `${...}` still visible),
anchors and `<<:` merges resolved by the YAML loader. Secrets by name (passwords, secrets, tokens,
salts, auth strings, keys) and by value shape (a URL with `user:password@`); never user names, file
paths or public keys. User names count as credentials only under the strict `dev-stack` policy.
Findings name the service and key, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from infra.compose.interpolate import Reference, references, string_values
from infra.compose.model import ComposeModel
from infra.compose.rules.common import RawFile, as_text, finding, is_user_name
from infra.findings import Check, Finding, produces
from infra.masking import is_secret_name

_ONLY_REFERENCE = re.compile(r"\s*(?:\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*)\s*")
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/@:\s]+:([^@/\s]+)@", re.IGNORECASE)
# Secrets passed on a command line: `--requirepass x`, `redis-cli -a x`, `PGPASSWORD=x sh -c ...`.
_VALUE = r"([\\'\"]*)([^\s'\"\\]*)"  # opening quotes (maybe escaped), then the value
_SECRET_FLAG = re.compile(r"(?<!\S)(--requirepass|--masterauth|--password|--pass)(?:\s+|=)" + _VALUE)
_CLI_AUTH_FLAG = re.compile(r"\b(?:redis|valkey)-cli\b[^|;&]*?(?<!\S)(-a)\s+" + _VALUE)
_ASSIGNMENT = re.compile(r"(?<![\w$])([A-Za-z_]\w*)=" + _VALUE)
_AUTH_VARIABLES = frozenset({"REDISCLI_AUTH"})


# Settings about a secret, not the secret: OAUTH_TOKEN_URL, REDIS_AUTH_ENABLED, DB_PASSWORD_FILE, ...
_ABOUT_A_SECRET = re.compile(r"_(?:URL|URI|ENDPOINT|HOST|PATH|FILE|ENABLED|TTL|EXPIRES|LENGTH|METHOD|TYPE)$")


def is_secret(name: str, value: str | None = None) -> bool:
    """A secret by name, unless the name is about one (`*_TOKEN_URL`, `*_PASSWORD_FILE`), the value is a
    file path (`*_KEY=/certs/tls.key`), or it is public. A URL's password is caught by `url_password`."""
    upper = name.upper()
    if not is_secret_name(upper) or "PUBLIC" in upper or _ABOUT_A_SECRET.search(upper):
        return False
    return not (value and value.startswith(("/", "./", "~/")))


# Secrets of an optional integration, empty while the feature is off: sign-in providers (OAuth, OIDC,
# SAML), object storage, mail, payments, licences, error tracking, chat and AI APIs. A service's own
# credentials (its database password, secret or encryption key, private key) are never optional.
_INTEGRATION = re.compile(
    r"(?:^|_)(?:OAUTH2?|OIDC|SSO|SAML|GOOGLE|GITHUB|GITLAB|MICROSOFT|AZURE|AUTH0|KEYCLOAK|OKTA|APPLE|"
    r"DISCORD|SLACK|TWILIO|TELEGRAM|S3|AWS|GCS|R2|SMTP|MAIL|MAILER|EMAIL|SENDGRID|MAILGUN|POSTMARK|"
    r"RESEND|SES|STRIPE|PAYPAL|PADDLE|LICEN[CS]E|SENTRY|POSTHOG|OPENAI|ANTHROPIC|HCAPTCHA|RECAPTCHA|"
    r"TURNSTILE|UPLOAD|MAILCHANNELS|DKIM)(?:_|$)|CLIENT_SECRET"
)


def is_optional_integration(name: str) -> bool:
    """GOOGLE_CLIENT_SECRET, S3_SECRET_KEY, SMTP_PASSWORD, STRIPE_API_KEY, LICENSE_KEY: an optional
    feature's secret (empty: the feature is off), not the service's own credential."""
    return bool(_INTEGRATION.search(name.upper()))


def is_credential_name(name: str) -> bool:
    """Secret-named, or a user/login name such as POSTGRES_USER (credentials under `dev-stack`)."""
    return is_secret_name(name) or is_user_name(name)


def url_password(text: str) -> bool:
    """Whether `text` holds a URL with a literal `user:password@` (not a `${...}` password)."""
    return bool(url_passwords(text))


def url_passwords(text: str) -> list[str]:
    """The literal passwords of the `scheme://user:password@` URLs in `text` (not `${...}` ones)."""
    return [m.group(1) for m in _URL_PASSWORD.finditer(text) if not m.group(1).startswith("$")]


def _environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        pairs = (str(item).partition("=") for item in env)
        return {k: (v if sep else None) for k, sep, v in pairs}
    return {str(k): None if v is None else str(v) for k, v in env.items()}


def literal_secrets_in_command(text: str) -> list[str]:
    """What carries a literal secret in a command line (`--requirepass`, `-a`, `PGPASSWORD=`), by name;
    values that are variable references (`$VAR`, `$${VAR}`) are fine."""
    found = []
    for pattern in (_SECRET_FLAG, _CLI_AUTH_FLAG):
        found += [m.group(1) for m in pattern.finditer(text) if m.group(3) and not m.group(3).startswith("$")]
    for m in _ASSIGNMENT.finditer(text):
        name, value = m.group(1), m.group(3)
        if (is_secret_name(name) or name in _AUTH_VARIABLES) and value and not value.startswith("$"):
            found.append(f"{name}=")
    return found


def _service_references(service: Mapping[str, Any]) -> Iterator[tuple[str, Reference]]:
    """(where in the service, reference) for every reference in its values."""
    for path, text in string_values(service):
        for ref in references(text):
            yield ".".join(path), ref


@produces("compose.no-default-secrets")
def rule_no_default_secrets(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """No default or literal secret in the file (environment, command line, health check).

    Why: A default or literal credential lives in every clone and every stack started from it, and the
    stack starts happily with it when the env file forgets the value.
    """
    findings = []
    for r in raw:
        for name, service in r.services().items():
            seen: set[str] = set()
            for where, ref in _service_references(service):
                default = ref.default
                if not default or where in seen:
                    continue
                if is_secret(ref.name, default) or url_password(default):
                    seen.add(where)
                    findings.append(
                        finding(
                            check.id,
                            f"service {name}, {where} in {r.path.name}",
                            "no default for a secret",
                            f"${{{ref.name}{ref.op}…}}: a default value (not shown)",
                            f"write ${{{ref.name}:?set {ref.name} in .env}}",
                        )
                    )
            for key, value in _environment(service).items():
                if value is None or _ONLY_REFERENCE.fullmatch(value) or f"environment.{key}" in seen:
                    continue
                literal = not list(references(value))
                secret = literal and value and (is_secret(key, value) or url_password(value))
                user = literal and is_user_name(key) and not secret
                if secret or user or (literal and not value and is_credential_name(key)):
                    findings.append(
                        finding(
                            check.id,
                            f"service {name}, environment {key} in {r.path.name}",
                            "a ${VARIABLE} reference",
                            "an empty literal" if not value else "a literal value (not shown)",
                            f"write {key}: ${{{key}:?set {key} in .env}}",
                            strict=not (secret or (not value and is_secret(key))),
                        )
                    )
            for field in ("command", "entrypoint"):
                for flag in literal_secrets_in_command(as_text(service.get(field))):
                    findings.append(_command_finding(check, name, field, flag, r))
            healthcheck = service.get("healthcheck")
            if isinstance(healthcheck, Mapping):
                for flag in literal_secrets_in_command(as_text(healthcheck.get("test"))):
                    findings.append(_command_finding(check, name, "healthcheck test", flag, r))
    return findings


def _command_finding(check: Check, service: str, field: str, flag: str, r: RawFile) -> Finding:
    return finding(
        check.id,
        f"service {service}, {field} in {r.path.name}",
        "secrets on the command line only as $$VARIABLE",
        f"{flag} followed by a literal value (not shown)",
        "pass it through `environment:` from ${VAR:?...} and write $$VAR in the command",
    )


def _required_somewhere(raw: list[RawFile]) -> set[str]:
    """Variables some reference requires (`${X:?}`): Compose refuses the whole file when they are unset."""
    return {
        ref.name for r in raw for _, text in string_values(r.doc) for ref in references(text) if ref.required
    }


@produces("compose.secrets-required")
def rule_secrets_required(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Secrets use the required form ${VAR:?message}.

    Why: `${X}` and `$X` quietly become empty when X is unset (a passwordless database, an empty user);
    `${X:?message}` stops `up` with the message instead. `${X:-}` is written as optional on purpose, and
    an optional integration's secret (OAuth client secret, S3/SMTP/Stripe keys, a licence key) is empty
    while the feature is off: only the strict policy asks for those to be required. The service's own
    credentials (database password, secret key, private key) stay errors everywhere.
    """
    required = _required_somewhere(raw)
    findings = []
    for r in raw:
        for name, service in r.services().items():
            seen: set[tuple[str, str]] = set()
            for where, ref in _service_references(service):
                secret = is_secret(ref.name)
                if ref.required or ref.name in required or (ref.default and not ref.optional_empty):
                    continue
                if not (secret or is_user_name(ref.name)) or (ref.name, where) in seen:
                    continue
                seen.add((ref.name, where))
                findings.append(
                    finding(
                        check.id,
                        f"service {name}, {where}: variable {ref.name} in {r.path.name}",
                        f"${{{ref.name}:?message}}",
                        f"{ref.written()}: empty when unset",
                        "make it required so a missing value stops `up` with your message",
                        strict=not secret or ref.optional_empty or is_optional_integration(ref.name),
                    )
                )
    return findings
