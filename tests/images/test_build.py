"""Offline image builds: rebuilt only when inputs change; a failed build leaves nothing behind."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from infra.errors import HarnessError
from infra.progress import Progress
from infra.stack import images

pytestmark = [pytest.mark.infra]
SCENARIOS = Path(__file__).parent / "scenarios"


def docker_lines(*args: str) -> list[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.split()


@pytest.fixture(scope="module")
def base() -> str:
    return images.build_base(Progress(quiet=True))


def test_failed_build_names_the_dockerfile_and_leaves_nothing(base):
    spec = images.ImageSpec("fails", "orderflow/scenario-fails:test", context_dir=SCENARIOS / "fails")
    dangling_filter = [
        "images",
        "-q",
        "--filter",
        "dangling=true",
        "--filter",
        f"label={images.COMPONENT_LABEL}",
    ]
    dangling_before = set(docker_lines(*dangling_filter))
    with pytest.raises(HarnessError) as caught:
        images.build_service_image(spec, base, Progress(quiet=True))
    line = str(caught.value)
    assert line.startswith(f"building orderflow/scenario-fails:test from {spec.context}/Dockerfile failed")
    assert "\n" not in line
    assert "Hint:" in line
    assert not images.image_present(spec.tag)
    build_containers = subprocess.run(
        ["docker", "ps", "-a", "--no-trunc", "--format", "{{.Command}}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "about to fail" not in build_containers, "the failed step's build container must be removed"
    assert set(docker_lines(*dangling_filter)) <= dangling_before, "no layer of the failed build may stay"


def test_rebuilt_only_when_inputs_change(base, tmp_path):
    context = tmp_path / "tiny"
    shutil.copytree(SCENARIOS / "tiny", context)
    spec = images.ImageSpec("tiny", "orderflow/scenario-tiny:test", context_dir=context)
    try:
        assert images.build_service_image(spec, base, Progress(quiet=True)) is True
        assert images.build_service_image(spec, base, Progress(quiet=True)) is False
        (context / "marker.txt").write_text("two")
        assert images.build_service_image(spec, base, Progress(quiet=True)) is True
        assert images.image_label(spec.tag, images.INPUTS_LABEL) == images.service_hash(spec)
    finally:
        subprocess.run(["docker", "rmi", "-f", spec.tag], capture_output=True, check=False)


def test_inputs_hash_sees_every_file(tmp_path):
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM x")
    first = images.inputs_hash([tmp_path / "ctx"])
    (tmp_path / "ctx" / "sub").mkdir()
    (tmp_path / "ctx" / "sub" / "dep.js").write_text("x")
    assert images.inputs_hash([tmp_path / "ctx"]) != first


def test_pins_are_build_inputs():
    """Changing a pinned sha256 rebuilds the image, even though no file in the repo context changed."""
    postgres = next(s for s in images.SERVICE_IMAGES if s.name == "postgres")
    other = images.ImageSpec(postgres.name, postgres.tag, artifacts=postgres.artifacts[:1])
    assert images.service_hash(postgres) != images.service_hash(other)
