"""The pure parts the compose rules are made of: Compose's interpolation, secrets by name and shape,
what a service is, the health budget, probes, sizes, guessable env values."""

from __future__ import annotations

import pytest

from infra.compose.imageref import floating_reason, parse_image_ref
from infra.compose.interpolate import Refused, refused_variables, resolve
from infra.compose.model import HealthCheck, Mount, Service
from infra.compose.policy import project_policy
from infra.compose.rules.common import is_user_name, kind_of, minio_data_path, service_kind
from infra.compose.rules.envfiles import weak_value
from infra.compose.rules.postgres import size_bytes
from infra.compose.rules.readiness import budget_problems, port_only_problem
from infra.compose.rules.secrets import is_optional_integration, is_secret, url_password
from infra.errors import HarnessError

pytestmark = [pytest.mark.compose]


@pytest.mark.parametrize(
    ("text", "env", "value"),
    [
        ("${V-v1.2.3}", {}, "v1.2.3"),  # no colon: the default when unset...
        ("${V-v1.2.3}", {"V": ""}, ""),  # ...but an empty value is kept
        ("${V:-v1.2.3}", {"V": ""}, "v1.2.3"),
        ("${P-:2283:2283}", {}, ":2283:2283"),  # immich: the first operator wins
        ("${A:+on}", {"A": "x"}, "on"),
        ("${A+on}", {"A": ""}, "on"),
        ("$$HOME ${X}", {}, "$HOME "),
        ("${A:-${B:-deep}}", {}, "deep"),
    ],
)
def test_resolve_as_compose_does(text, env, value):
    assert resolve(text, env) == value


def test_only_what_compose_refuses_is_refused():
    doc = {"a": "${A:?set A}", "b": "${B?set B}", "c": "${C:-x}", "d": "${D}"}
    assert refused_variables(doc, {"B": ""}) == ["A"]
    with pytest.raises(Refused, match="required variable A"):
        resolve("${A:?set A}", {"A": ""})


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("SALT", "mysalt", True),
        ("REDIS_AUTH", "x", True),
        ("PG_PASS", "x", True),
        ("POSTGRES_PWD", "x", True),
        ("REDIS_TLS_KEY", "/certs/redis.key", False),
        ("LANGFUSE_INIT_PROJECT_PUBLIC_KEY", "pk-1", False),
        ("PG_USER", "authentik", False),
        ("POSTGRES_HOST_AUTH_METHOD", "trust", False),
        ("OAUTH_TOKEN_URL", "https://id.example.com/token", False),
        ("REDIS_AUTH_ENABLED", "true", False),
        ("AUTH_GOOGLE_CLIENT_SECRET", "x", True),
    ],
)
def test_secrets_by_name_never_paths_public_keys_or_users(name, value, secret):
    assert is_secret(name, value) is secret


def test_user_names_are_not_counters():
    assert is_user_name("POSTGRES_USER") and is_user_name("DB_USERNAME")
    assert not is_user_name("LANGFUSE_IN_APP_AGENT_MAX_ACTIVE_RUNS_PER_USER")


def test_url_userinfo_is_a_secret_unless_a_reference():
    assert url_password("postgresql://postgres:postgres@db:5432/app")
    assert not url_password("postgresql://postgres@db/app")
    assert not url_password("postgres://${U}:${P}@db/app")


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("ghcr.io/immich-app/postgres:14-vectorchord0.4.3", "postgres"),
        ("zulip/zulip-postgresql:14", "postgres"),
        ("docker.io/valkey/valkey:8", "redis"),
        ("cgr.dev/chainguard/minio", "minio"),
        ("prometheuscommunity/postgres-exporter:v0.15.0", None),
        ("edoburu/pgbouncer:1.23.1", None),
    ],
)
def test_kind_from_known_images_and_vendor_builds(image, kind):
    assert kind_of(image) == kind


def test_kind_from_what_the_service_does():
    """A vendor image nobody lists is still PostgreSQL by its data path, probe or command; never by
    environment names (client settings such as PGDATA from a shared `x-db-env` anchor)."""
    base = Service("db", "registry.example.com/acme/dbserver:1.0.0")
    assert service_kind(base) is None
    assert service_kind(Service("db", base.image, mounts=(Mount("volume", "d", "/var/lib/postgresql/data"),)))
    client = {"PGDATA": "/var/lib/postgresql/data", "POSTGRES_PASSWORD": "x"}
    assert service_kind(Service("api", base.image, environment=client)) is None
    probe = HealthCheck(("CMD-SHELL", "redis-cli ping"), 1.0, 1.0, 3, 0.0)
    assert service_kind(Service("c", base.image, healthcheck=probe)) == "redis"
    remote = HealthCheck(("CMD-SHELL", "pg_isready -h db -U app"), 1.0, 1.0, 3, 0.0)
    assert service_kind(Service("api", base.image, healthcheck=remote)) is None  # a client of db
    assert service_kind(Service("c", base.image, command=("postgres", "-c", "fsync=off"))) == "postgres"
    studio = Service("studio", "node:22.11.0", command=("npx", "prisma", "studio", "--port", "5555"))
    assert service_kind(studio) == "db-gui"
    assert service_kind(Service("gui", "dpage/pgadmin4:8.12")) == "db-gui"


@pytest.mark.parametrize(
    ("command", "path"),
    [
        (("server", "/export", "--console-address", ":9090"), "/export"),
        (("server /data{1...4}",), "/data"),
        (("minio", "server", "--address", ":9000", "/srv/minio/"), "/srv/minio"),
        (("gateway", "nas"), None),
    ],
)
def test_minio_data_path_from_its_command(command, path):
    assert minio_data_path(Service("m", "minio/minio:RELEASE.2024-11-07T00-52-20Z", command=command)) == path


def test_a_floating_minor_with_a_full_suffix_is_floating():
    assert floating_reason(parse_image_ref("example/app:v2.1-3.4.5"))
    assert floating_reason(parse_image_ref("temporalio/admin-tools:1.29.1-tctl-1.18.4")) is None


def test_health_budget():
    one_second = HealthCheck(("CMD", "pg_isready"), 1.0, 1.0, 3, 1.0)
    assert [p[2] for p in budget_problems(one_second, "postgres", 120.0)] == [False]
    hanging = HealthCheck(("CMD", "pg_isready"), 1.0, 30.0, 10, 30.0)
    assert [p[2] for p in budget_problems(hanging, "postgres", 120.0)] == [True]  # strict-only
    assert budget_problems(HealthCheck(("CMD", "x"), 30.0, 30.0, 3, 0.0), None, 200.0) == []


@pytest.mark.parametrize(
    ("command", "port_only"),
    [
        ("nc -z 127.0.0.1 9000", True),
        ("bash -c '</dev/tcp/127.0.0.1/80'", True),
        ("curl http://localhost:3000/api/heartbeat", True),
        ("curl -fsS http://localhost/", False),
        ("curl --fail http://localhost/", False),
        ("curl -s http://localhost/health | grep -q ok", False),
        ("wget --spider http://localhost/ping", False),
    ],
)
def test_probes_that_only_test_a_port(command, port_only):
    assert (port_only_problem(("CMD-SHELL", command)) is not None) is port_only


def test_sizes():
    assert size_bytes("128mb") == size_bytes("128m") == 128 * 1024**2
    assert size_bytes("1g") == 1024**3
    with pytest.raises(ValueError, match="not a size"):
        size_bytes("lots")


def test_guessable_env_values():
    assert weak_value("changePassword", set())
    assert weak_value("temporal", set())  # short
    assert weak_value("0000000000000000000000", set())
    assert weak_value("mattermost-db-user-name", {"mattermost-db-user-name"})
    assert not weak_value("Zx8Qv2Lr9Tm4Wp7Kc3Nd6Hs1", set())


def test_project_policy_from_pyproject(tmp_path):
    """pyproject's [tool.orderflow.lint] picks the policy and overrides severities; a flag wins."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.orderflow.lint]\npolicy = "service"\n[tool.orderflow.lint.severity]\n"x.y" = "off"\n'
    )
    policy = project_policy(tmp_path / "sub" / "dir")
    assert policy.name == "service" and policy.severities["x.y"] == "off"
    assert project_policy(tmp_path, "dev-stack").name == "dev-stack"


def test_a_bad_policy_setting_is_one_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.orderflow.lint.severity]\n"x.y" = "fatal"\n')
    with pytest.raises(HarnessError, match=r"severity 'fatal' for x\.y is not one of error, warning"):
        project_policy(tmp_path)
    with pytest.raises(HarnessError, match="unknown lint policy 'strict'"):
        project_policy(tmp_path, "strict")


@pytest.mark.parametrize(
    ("name", "optional"),
    [
        ("GOOGLE_CLIENT_SECRET", True),
        ("OAUTH_CLIENT_SECRET", True),
        ("S3_SECRET_KEY", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("SMTP_PASSWORD", True),
        ("STRIPE_SECRET_KEY", True),
        ("LICENSE_KEY", True),
        ("NEXT_PRIVATE_UPLOAD_SECRET_ACCESS_KEY", True),  # documenso, held out
        ("NEXT_PRIVATE_MAILCHANNELS_DKIM_PRIVATE_KEY", True),
        ("DB_PASSWORD", False),
        ("SECRET_KEY", False),
        ("ENCRYPTION_KEY", False),
        ("JWT_PRIVATE_KEY", False),
        ("NEXTAUTH_SECRET", False),
    ],
)
def test_optional_integration_secrets_are_told_from_own_credentials(name, optional):
    assert is_optional_integration(name) is optional


def test_postgres_before_10_had_three_part_versions():
    assert floating_reason(parse_image_ref("postgres:9.5"))
    assert floating_reason(parse_image_ref("postgres:9.5.25")) is None
    assert floating_reason(parse_image_ref("postgres:16.4")) is None
