"""What images already provide (issue 18, class 5): the HEALTHCHECK a Dockerfile's built stage runs,
image names as the engine lists them, and a present image asked for real."""

from __future__ import annotations

import subprocess

import pytest

from infra.compose.shipped import dockerfile_healthcheck, image_healthchecks, local_name

pytestmark = [pytest.mark.compose]

MULTI_STAGE = """\
FROM node:22.11.0 AS build
RUN npm ci
FROM node:22.11.0-slim AS runtime
HEALTHCHECK --interval=30s CMD node healthcheck.mjs
FROM runtime AS final
COPY --from=build /app /app
FROM build AS tools
"""


@pytest.mark.parametrize(
    ("text", "target", "ships"),
    [
        (MULTI_STAGE, "final", True),  # inherited from the stage it starts FROM
        (MULTI_STAGE, None, False),  # the last stage (tools) starts from build: none
        (MULTI_STAGE, "build", False),
        ("FROM debian:12\nHEALTHCHECK CMD true\nHEALTHCHECK NONE\n", None, False),
        ("FROM debian:12\n  healthcheck --retries=3 CMD curl -f http://x/\n", None, True),
        ("# no stage\n", None, False),
    ],
)
def test_the_built_stage_decides(text, target, ships):
    assert dockerfile_healthcheck(text, target) is ships


def test_names_as_the_engine_lists_them():
    assert local_name("postgres") == "postgres:latest"
    assert local_name("docker.io/library/redis:7.4.1") == "redis:7.4.1"
    assert local_name("localhost:5000/app") == "localhost:5000/app:latest"
    assert local_name("ghcr.io/acme/app:1.2") == "ghcr.io/acme/app:1.2"


def test_a_present_image_is_inspected_an_absent_one_is_not():
    listed = subprocess.run(
        ["docker", "image", "ls", "--format", "{{.Repository}}:{{.Tag}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    present = [i for i in listed.stdout.split() if i.startswith("orderflow/") and not i.endswith("<none>")]
    if listed.returncode != 0 or not present:
        pytest.skip("no engine, or no orderflow image present to inspect")
    found = image_healthchecks([present[0], "example.invalid/absent:0.0.1"])
    assert set(found) == {present[0]}  # asked the engine about the present one only
    expected = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{json .Config.Healthcheck}}", present[0]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found[present[0]] is (expected not in ("null", "") and '"NONE"' not in expected)
