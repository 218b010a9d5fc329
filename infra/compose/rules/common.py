"""What every Compose rule works on: the raw files as written, the service's kind, and a finding helper."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.compose.imageref import parse_image_ref
from infra.compose.model import ComposeModel, Service
from infra.findings import Finding

# Image repositories (registry and tag removed) by the server they run: some rules are per server.
KINDS = {
    "postgres": "postgres",
    "pgvector/pgvector": "postgres",
    "postgis/postgis": "postgres",
    "timescale/timescaledb": "postgres",
    "redis": "redis",
    "redis/redis-stack-server": "redis",
    "valkey/valkey": "redis",
    "bitnami/redis": "redis",
    "minio/minio": "minio",
    "clickhouse/clickhouse-server": "clickhouse",
    "rabbitmq": "rabbitmq",
    "bitnami/rabbitmq": "rabbitmq",
    # Database GUIs: they hold the database's credentials and open it to whoever reaches their port.
    "dpage/pgadmin4": "db-gui",
    "adminer": "db-gui",
    "sosedoff/pgweb": "db-gui",
    "phpmyadmin": "db-gui",
    "phpmyadmin/phpmyadmin": "db-gui",
    "mongo-express": "db-gui",
    "redis/redisinsight": "db-gui",
    "redislabs/redisinsight": "db-gui",
    "rediscommander/redis-commander": "db-gui",
    "dbgate/dbgate": "db-gui",
    "cloudbeaver/cloudbeaver": "db-gui",
}
# Vendors' builds, by the last part of the repository (registry and owner vary): postgres-ish names,
# redis forks, object stores. Exporters and poolers (postgres-exporter, pgbouncer) are not servers.
_VENDOR_KINDS = (
    (
        re.compile(r"^(?:postgres(?:ql)?|[\w.-]*-postgres(?:ql)?|postgis|timescaledb(?:-ha)?|pgvecto-rs)$"),
        "postgres",
    ),
    (re.compile(r"^(?:redis|valkey|keydb|redis-stack(?:-server)?)$"), "redis"),
    (re.compile(r"^minio$"), "minio"),
    (re.compile(r"^clickhouse(?:-server)?$"), "clickhouse"),
)
# Images built FROM the official postgres image: they inherit `STOPSIGNAL SIGINT` (fast shutdown).
STOPS_ON_SIGINT = frozenset(
    {
        "postgres",
        "pgvector/pgvector",
        "postgis/postgis",
        "timescale/timescaledb",
        "zulip/zulip-postgresql",
        "immich-app/postgres",
        "tensorchord/pgvecto-rs",
        "ankane/pgvector",
    }
)
# Images whose Dockerfile declares a HEALTHCHECK, for images not present to inspect (each checked in
# the upstream Dockerfile named; a present image is inspected instead, infra.compose.shipped).
SHIPS_HEALTHCHECK = frozenset(
    {
        "goauthentik/server",
        "immich-app/immich-server",
        "immich-app/immich-machine-learning",
        "immich-app/postgres",
        "mattermost/mattermost-enterprise-edition",
        "mattermost/mattermost-team-edition",
        "kong",  # Kong/docker-kong Dockerfile.deb: HEALTHCHECK CMD kong-health
        "kong/kong-gateway",
        "hedgedoc/hedgedoc",  # hedgedoc/container alpine/Dockerfile: node healthcheck.mjs
        "linkwarden/linkwarden",  # linkwarden/linkwarden Dockerfile
        "paperless-ngx/paperless-ngx",  # paperless-ngx/paperless-ngx Dockerfile: curl -fs
        "healthchecks/healthchecks",  # healthchecks/healthchecks docker/Dockerfile
        "makeplane/plane-frontend",  # makeplane/plane apps/web/Dockerfile.web
        "makeplane/plane-admin",  # apps/admin/Dockerfile.admin
        "makeplane/plane-space",  # apps/space/Dockerfile.space
        "louislam/uptime-kuma",
        "vaultwarden/server",
    }
)
# Where each data store keeps its data (a message broker is no data store here: its queues are
# transient work; a GUI keeps nothing). Images that keep it elsewhere are in IMAGE_DATA_PATHS.
DATA_PATHS = {
    "postgres": "/var/lib/postgresql/data",
    "redis": "/data",
    "minio": "/data",
    "clickhouse": "/var/lib/clickhouse",
}
IMAGE_DATA_PATHS = {
    "bitnami/postgresql": "/bitnami/postgresql",
    "bitnami/redis": "/bitnami/redis/data",
    "bitnami/minio": "/bitnami/minio/data",
}
# Credentials that are not secret-named (`is_secret_name`) but must come from the env all the same;
# counters such as MAX_RUNS_PER_USER are not user names.
CREDENTIAL_NAME = re.compile(r"(?:^|_)(?:USER|USERNAME|LOGIN)$")
_COUNTER_NAME = re.compile(r"(?:^|_)(?:PER|MAX|MIN|NUM|COUNT)_")


@dataclass(frozen=True)
class RawFile:
    """One compose file as written: `${VAR:-default}` and literals are still visible here."""

    path: Path
    text: str
    doc: Mapping[str, Any]

    def services(self) -> Mapping[str, Mapping[str, Any]]:
        services = self.doc.get("services")
        return services if isinstance(services, Mapping) else {}


@dataclass(frozen=True)
class ComposeFinding(Finding):
    """A finding of a compose rule: which service (None: the file), and whether only the strict
    `dev-stack` policy holds it against a file (a convention of ours, not a defect elsewhere)."""

    service: str | None = None
    strict: bool = False


def finding(
    check_id: str,
    where: str,
    expected: str,
    found: str,
    hint: str = "",
    *,
    service: str | None = None,
    strict: bool = False,
) -> Finding:
    """A ComposeFinding (typed as the Finding every rule returns); `service` defaults to the one
    `where` names."""
    if service is None and where.startswith("service "):
        service = where.removeprefix("service ").split(",")[0].split()[0]
    return ComposeFinding(check_id, where, expected, found, hint, service=service, strict=strict)


def repository(image: str) -> str | None:
    """The image's repository without registry and tag ("postgres", "immich-app/postgres"), or None."""
    try:
        return parse_image_ref(image).repository
    except ValueError:
        return None


def kind_of(image: str) -> str | None:
    """ "postgres", "redis", "minio", "clickhouse" or None, from the image's repository (known images,
    then vendors' builds by name); None for a bad reference."""
    repo = repository(image)
    if repo is None:
        return None
    if repo in KINDS:
        return KINDS[repo]
    last = repo.rsplit("/", 1)[-1]
    return next((kind for pattern, kind in _VENDOR_KINDS if pattern.match(last)), None)


_SERVER_COMMANDS = (
    (re.compile(r"(?:^|[\s/])(?:postgres|pg_ctl)(?:\s|$)"), "postgres"),
    (re.compile(r"\b(?:redis|valkey|keydb)-server\b"), "redis"),
    (re.compile(r"\bminio\s+server\b"), "minio"),
)
_PROBES = (("pg_isready", "postgres"), ("redis-cli", "redis"), ("valkey-cli", "redis"), ("mc ready", "minio"))


def service_kind(s: Service) -> str | None:
    """What server a service runs, by what it is: its command (Prisma Studio), its image, else its
    data mount (/var/lib/postgresql/data), a probe of itself (pg_isready, redis-cli, not against
    another host), its command or entrypoint. Never by environment names: application services carry
    client settings (POSTGRES_PASSWORD, even PGDATA from a shared `x-db-env` anchor)."""
    command = " ".join([*(s.entrypoint or ()), *(s.command or ())])
    if _STUDIO.search(command):
        return "db-gui"  # `npx prisma studio` in a node image
    kind = kind_of(s.image) if s.image else None
    if kind:
        return kind
    targets = {m.target.rstrip("/") for m in s.mounts}
    if targets & {"/var/lib/postgresql/data", "/var/lib/postgresql"}:
        return "postgres"
    probe = " ".join(s.healthcheck.test[1:]) if s.healthcheck else ""
    hit = next((k for word, k in _PROBES if word in probe), None)
    if hit and not _REMOTE_HOST.search(probe):
        return hit
    return next((k for pattern, k in _SERVER_COMMANDS if pattern.search(command)), None)


_STUDIO = re.compile(r"\bprisma\s+studio\b")
# `pg_isready -h db`, `redis-cli -h cache`: a client probing another service, not the server itself.
_REMOTE_HOST = re.compile(r"(?<!\S)(?:-h\s*|--host[=\s]\s*)['\"]?(?!127\.0\.0\.1|localhost|::1)[A-Za-z]")


def minio_data_path(s: Service) -> str | None:
    """The folder `minio server <path>` serves (its first path argument, `/data{1...4}` -> /data), or None."""
    words = [w for part in [*(s.entrypoint or ()), *(s.command or ())] for w in part.split()]
    if "server" not in words:
        return None
    path = next((w for w in words[words.index("server") + 1 :] if w.startswith("/")), None)
    return None if path is None else re.sub(r"\{.*$", "", path).rstrip("/") or "/"


# What a job does once: migrate, bootstrap, seed, set up, create buckets, fix ownership.
_JOB = re.compile(
    r"migrat|bootstrap|(?<![a-z])(?:init|setup|seed|createbuckets?|chown|chmod)(?![a-z])|\bmc\s+mb\b|db:(?:create|setup)",
    re.IGNORECASE,
)


_MIGRATION = re.compile(
    r"\bmigrat\w*\s+(?:deploy|up|upgrade|bootstrap|run)\b|\bmanage\.py\s+migrate\b|db:migrate"
)


def is_one_shot(model: ComposeModel, name: str) -> bool:
    """A job that runs to completion (an init container, a migrator): another service waits for it
    with `condition: service_completed_successfully`, or it is not restarted once it succeeded
    (`restart: "no"` / `on-failure`, also in deploy.restart_policy) and its command or name says
    job (migrations, bootstrap, setup, seed, createbuckets, chown); with no `restart:` at all
    (Compose's default, no) when its command is plainly a migration (`prisma migrate deploy`)."""
    if any(s.depends_on.get(name) == "service_completed_successfully" for s in model.services.values()):
        return True
    s = model.services[name]
    what = " ".join([name, *(s.entrypoint or ()), *(s.command or ())])
    if s.restart is None:  # Compose's default is "no": only a command that is plainly a migration
        return bool(_MIGRATION.search(what))
    once = s.restart in ("no", "none") or s.restart.startswith("on-failure")
    return once and bool(_JOB.search(what))


def is_user_name(name: str) -> bool:
    """POSTGRES_USER, MINIO_ROOT_USER, DB_USERNAME: who, not a secret; MAX_RUNS_PER_USER is a count."""
    upper = name.upper()
    return bool(CREDENTIAL_NAME.search(upper)) and not _COUNTER_NAME.search(upper)


def written_value(raw: list[RawFile], service: str, key: str) -> Any:
    """A service key as written (later files override earlier ones); None when no file writes it."""
    value = None
    for r in raw:
        entry = r.services().get(service)
        if isinstance(entry, Mapping) and key in entry:
            value = entry[key]
    return value


def as_text(value: Any) -> str:
    """A command, entrypoint or health-check test (string or list form) as one line."""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else str(value)
