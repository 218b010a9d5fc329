"""The pure parsers under the compose rules: image references, durations, variable references,
ports entries, health-check probes, command lines. No Docker needed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.compose.envfile import VariableRef, referenced_variables
from infra.compose.imageref import ImageRef, floating_reason, is_pinned, parse_image_ref
from infra.compose.interpolate import references
from infra.compose.model import HealthCheck, Mount, parse_duration
from infra.compose.rules.exposure import exposes_docker_socket, raw_port_host_part
from infra.compose.rules.health import early_pass_problem, wellformed_problems
from infra.compose.rules.layout import covering_mount
from infra.compose.rules.secrets import literal_secrets_in_command

pytestmark = [pytest.mark.compose]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("redis", ImageRef("redis", None)),
        ("redis:7.4.1-bookworm", ImageRef("redis", "7.4.1-bookworm")),
        ("library/redis:7", ImageRef("redis", "7")),
        ("docker.io/library/postgres:16.4", ImageRef("postgres", "16.4", None, "docker.io")),
        ("pgvector/pgvector:0.8.0-pg16", ImageRef("pgvector/pgvector", "0.8.0-pg16")),
        (
            "quay.io/minio/minio:RELEASE.2024-11-07T00-52-20Z",
            ImageRef("minio/minio", "RELEASE.2024-11-07T00-52-20Z", None, "quay.io"),
        ),
        ("localhost:5000/team/db", ImageRef("team/db", None, None, "localhost:5000")),
        ("redis@sha256:" + "a" * 64, ImageRef("redis", None, "sha256:" + "a" * 64)),
        ("redis:7@sha256:" + "b" * 64, ImageRef("redis", "7", "sha256:" + "b" * 64)),
    ],
)
def test_parse_image_ref(text, expected):
    assert parse_image_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("", "''"),
        ("redis 7", "'redis 7'"),
        ("redis:", "bad tag ''"),
        ("Redis:7", "bad repository part 'Redis'"),
        ("redis:7@sha256:zz", "bad digest 'sha256:zz'"),
        ("team//db", "bad repository part ''"),
        ("redis:" + "x" * 129, "bad tag"),
        ("bad_host.io:x/db", "bad registry host 'bad_host.io:x'"),
    ],
)
def test_bad_image_ref_error_names_the_value(text, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        parse_image_ref(text)


_COMPONENT = st.from_regex(r"[a-z0-9]{1,8}(?:[._-][a-z0-9]{1,8}){0,2}", fullmatch=True)
_REFS = st.builds(
    ImageRef,
    repository=st.lists(_COMPONENT, min_size=1, max_size=3)
    .map("/".join)
    .filter(lambda r: not r.startswith("library/")),
    tag=st.none() | st.from_regex(r"\w[\w.-]{0,20}", fullmatch=True),
    digest=st.none() | st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True),
    registry=st.none() | st.sampled_from(["quay.io", "ghcr.io", "localhost:5000", "registry.example:443"]),
)


def _unambiguous(ref: ImageRef) -> bool:
    """Docker reads a first part with a dot (or `localhost`) as a registry host: `0.0/x` has one."""
    first = ref.repository.split("/")[0]
    return (
        ref.registry is not None or "/" not in ref.repository or ("." not in first and first != "localhost")
    )


@given(_REFS.filter(_unambiguous))
def test_image_ref_round_trips(ref):
    assert parse_image_ref(str(ref)) == ref


def test_a_dotted_first_part_is_a_registry():
    assert parse_image_ref("0.0/x") == ImageRef("x", None, None, "0.0")


@pytest.mark.parametrize(
    "pinned",
    [
        "redis:7.4.1-bookworm",
        "redis:7.4.1",
        "pgvector/pgvector:0.8.0-pg16",
        "postgres:16.4",
        "postgres:16.4-bookworm",
        "quay.io/minio/minio:RELEASE.2024-11-07T00-52-20Z",
        "ghcr.io/x/y:v1.2.3",
        "redis@sha256:" + "c" * 64,
    ],
)
def test_pinned_images(pinned):
    assert is_pinned(parse_image_ref(pinned))


@pytest.mark.parametrize(
    ("floating", "reason"),
    [
        ("redis", "no tag"),
        ("redis:latest", "latest"),
        ("redis:7", "'7' names no full version"),
        ("redis:7.4", "'7.4' names no full version"),
        ("redis:7-alpine", "'7-alpine'"),
        ("postgres:16", "'16'"),
        ("pgvector/pgvector:pg16", "'pg16'"),
        ("minio/minio:RELEASE.2024", "'RELEASE.2024'"),
    ],
)
def test_floating_images_say_why(floating, reason):
    assert reason in (floating_reason(parse_image_ref(floating)) or "")


@given(st.integers(0, 99), st.sampled_from(["", "-alpine", "-bookworm", "-pg16"]))
def test_major_only_tags_float_and_full_versions_pin(major, suffix):
    assert not is_pinned(ImageRef("redis", f"{major}{suffix}"))
    assert is_pinned(ImageRef("redis", f"{major}.1.2{suffix}"))


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1s", 1.0), ("800ms", 0.8), ("1m30s", 90.0), ("1h", 3600.0), ("2", 2.0), (5, 5.0), ("1.5s", 1.5)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "1x", "s", "1s 2s", "-1s", "1m30"])
def test_bad_duration_names_the_value(text):
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_duration(text)


@given(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999))
def test_duration_parts_add_up(h, m, s, ms):
    assert parse_duration(f"{h}h{m}m{s}s{ms}ms") == pytest.approx(h * 3600 + m * 60 + s + ms / 1000)


def test_referenced_variables_forms():
    refs = referenced_variables("${A} ${B:-x} ${C-y} ${D:?msg: with colon} ${E?m} $${F} ${G:+alt}")
    assert refs == {
        "A": VariableRef("A", False, None),
        "B": VariableRef("B", False, "x"),
        "C": VariableRef("C", False, "y"),
        "D": VariableRef("D", True, None),
        "E": VariableRef("E", True, None),
        "G": VariableRef("G", False, None),
    }


_NAME = st.from_regex(r"[A-Z_][A-Z0-9_]{0,15}", fullmatch=True)
_ARG = st.text(st.characters(blacklist_characters="}$\n", blacklist_categories=["Cs"]), max_size=20)


@given(_NAME, st.sampled_from([":-", "-", ":?", "?"]), _ARG)
def test_referenced_variables_reads_every_form(name, op, arg):
    ref = referenced_variables(f"key: ${{{name}{op}{arg}}}\n")[name]
    assert ref.required == ("?" in op)
    assert ref.default == (arg if "-" in op else None)


def test_references_skip_escapes_and_see_nested_defaults():
    text = "${A:?x} $B $$C $${D} ${E:-${F}}"
    found = [(r.name, r.op, r.braced) for r in references(text)]
    assert found == [("A", ":?", True), ("B", "", False), ("E", ":-", True), ("F", "", True)]


@pytest.mark.parametrize(
    ("entry", "host"),
    [
        ("127.0.0.1:${PG_PORT:?set it: now}:5432", "${PG_PORT:?set it: now}"),
        ("${PG_PORT}:5432", "${PG_PORT}"),
        ("127.0.0.1:5432:5432", "5432"),
        ("[::1]:6379:6379/tcp", "6379"),
        ("5432", ""),
        ({"target": 5432, "published": "${PG_PORT}"}, "${PG_PORT}"),
        ({"target": 5432, "published": 5432}, "5432"),
    ],
)
def test_raw_port_host_part(entry, host):
    assert raw_port_host_part(entry) == host


@pytest.mark.parametrize(
    ("source", "exposed"),
    [
        ("/var/run/docker.sock", True),
        ("/run/docker.sock", True),
        ("/var/run", True),
        ("/var/run/", True),
        ("/", True),
        ("/var/lib/data", False),
        ("/var/run/postgresql", False),
    ],
)
def test_exposes_docker_socket(source, exposed):
    assert exposes_docker_socket(source) is exposed


def test_covering_mount_prefers_the_nearest_parent():
    mounts = (Mount("volume", "a", "/var/lib"), Mount("volume", "b", "/var/lib/postgresql"))
    assert covering_mount(mounts, "/var/lib/postgresql/data") == mounts[1]
    assert covering_mount(mounts, "/var/lib2") is None


@pytest.mark.parametrize(
    ("test", "kind"),
    [
        (("CMD-SHELL", "pg_isready -h 127.0.0.1 -U app"), "postgres"),
        (("CMD-SHELL", "pg_isready --host=localhost"), "postgres"),
        (("CMD", "pg_isready", "-h", "127.0.0.1"), "postgres"),
        (("CMD-SHELL", "psql -h127.0.0.1 -c 'select 1'"), "postgres"),
        (("CMD-SHELL", "redis-cli ping | grep -qx PONG"), "redis"),
        (("CMD-SHELL", '[ "$(redis-cli ping)" = "PONG" ]'), "redis"),
        (("CMD", "mc", "ready", "local"), "minio"),
        (("CMD", "true"), None),
    ],
)
def test_probes_that_cannot_pass_early(test, kind):
    assert early_pass_problem(test, kind) is None


@pytest.mark.parametrize(
    ("test", "kind", "problem"),
    [
        (("CMD-SHELL", "pg_isready -U app"), "postgres", "without -h"),
        (("CMD-SHELL", "pg_isready -h /var/run/postgresql"), "postgres", "not TCP on loopback"),
        (("CMD-SHELL", "pg_isready -h db.example"), None, "not TCP on loopback"),
        (("CMD", "true"), "postgres", "neither pg_isready nor psql"),
        (("CMD-SHELL", "redis-cli ping"), "redis", "not compared with PONG"),
        (("CMD-SHELL", "redis-cli ping || echo PONG"), "redis", "not compared with PONG"),
        (("CMD", "redis-cli", "ping", "|", "grep", "PONG"), "redis", "not compared with PONG"),
        (("CMD-SHELL", "valkey-cli ping"), None, "valkey-cli"),
        (("CMD", "true"), "redis", "runs no redis-cli"),
    ],
)
def test_probes_that_can_pass_early(test, kind, problem):
    assert problem in (early_pass_problem(test, kind) or "")


def test_wellformed_problems_quote_the_written_values():
    """timeout >= interval is no problem (Docker never overlaps probes); start_period is strict-only."""
    written = frozenset({"test"})
    hc = HealthCheck(
        ("CMD", "true"), interval_s=1.0, timeout_s=1.0, retries=0, start_period_s=0.0, written=written
    )
    problems = {e: (f, strict) for e, f, strict in wellformed_problems(hc, {"start_period": "0s"})}
    assert problems == {
        "start_period set explicitly (> 0)": ("start_period 0s", True),
        "retries >= 1": ("retries: 0", False),
    }


def test_disable_false_keeps_the_images_check():
    hc = HealthCheck((), interval_s=30.0, timeout_s=30.0, retries=3, start_period_s=0.0)
    assert hc.inherits_image and wellformed_problems(hc, {}) == []


@pytest.mark.parametrize(
    ("command", "flags"),
    [
        ('sh -c "exec redis-server --requirepass \\"$$REDIS_PASSWORD\\""', []),
        ("redis-server --requirepass s3cret", ["--requirepass"]),
        ("redis-server --requirepass=s3cret", ["--requirepass"]),
        ("redis-cli -a s3cret ping", ["-a"]),
        ("redis-cli -a $$REDIS_PASSWORD ping", []),
        ("ls -a /data", []),
        ("PGPASSWORD=s3cret psql -h 127.0.0.1", ["PGPASSWORD="]),
        ('REDISCLI_AUTH="$${REDIS_PASSWORD}" redis-cli ping', []),
        ("REDISCLI_AUTH=s3cret redis-cli ping", ["REDISCLI_AUTH="]),
        ("POSTGRES_DB=app psql", []),
    ],
)
def test_literal_secrets_in_command(command, flags):
    assert literal_secrets_in_command(command) == flags
