"""The offline override fits the compose file: only its services OrderFlow's offline images stand in
for, matched by image under any service name; never a service the file does not have."""

from __future__ import annotations

import pytest
import yaml

from infra.compose.model import ComposeFiles
from infra.errors import HarnessError
from infra.stack.offline_override import OFFLINE_OVERRIDE, fitted, repository
from infra.stack.profiles import Profile


def test_repository_drops_tag_and_digest_but_keeps_the_registry():
    assert repository("quay.io/minio/minio:RELEASE.2024") == "quay.io/minio/minio"
    assert repository("localhost:5000/postgres:16") == "localhost:5000/postgres"
    assert repository("postgres@sha256:abc") == "postgres"


def test_orderflows_own_services_get_the_override_as_it_is():
    images = {"postgres": "pgvector/pgvector:0.8.0-pg16", "redis": "redis:7.4", "minio": "minio/minio:x"}
    assert fitted(images)[0] == OFFLINE_OVERRIDE


def test_another_file_gets_only_its_matching_services_renamed(tmp_path):
    base = tmp_path / "compose.yaml"
    base.write_text("services: {}\n")
    files = Profile("offline", "test").files(ComposeFiles((base,)), {"db": "postgres:16", "app": "myapp:1"})
    assert files.files[0] == base
    override = yaml.safe_load(files.files[1].read_text())
    assert override == {"services": {"db": {"image": "orderflow/postgres16:offline"}}}


def test_no_known_image_means_no_override(tmp_path):
    base = ComposeFiles((tmp_path / "compose.yaml",))
    assert Profile("offline", "test").files(base, {"app": "myapp:1"}) == base
    assert fitted({"app": "myapp:1"})[0] is None


def test_the_generated_override_lives_in_a_private_directory(tmp_path, monkeypatch):
    """Compose reads the generated file: a shared /tmp folder would let anyone plant its content."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    path, _ = fitted({"db": "postgres:16"})
    assert path is not None and path.parent == tmp_path / "orderflow-offline-overrides"
    assert path.parent.lstat().st_mode & 0o777 == 0o700
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "orderflow-offline-overrides").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(planted))
    with pytest.raises(HarnessError, match=r"offline override directory .* is not a directory of yours"):
        fitted({"db": "postgres:16"})
