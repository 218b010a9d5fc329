"""Image references: parsed, and pinned or not."""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.compose_model import ComposeModel
from infra.compose_rules.common import RawFile, finding
from infra.findings import Finding

TWO_PART_VERSION_REPOS = {"postgres"}  # PostgreSQL's own versions are two numbers: 16.4 is exact


@dataclass(frozen=True)
class ImageRef:
    repository: str  # without registry host: "pgvector/pgvector", "minio/minio", "redis"
    tag: str | None
    digest: str | None
    registry: str | None = None


def parse_image_ref(ref: str) -> ImageRef:
    """Split `[registry/]repo[:tag][@digest]`; errors name the bad value."""
    if not ref or any(c.isspace() for c in ref):
        raise ValueError(f"not an image reference: {ref!r}")
    name, _, digest = ref.partition("@")
    if digest and not re.fullmatch(r"[a-z0-9]+:[0-9a-f]{32,}", digest):
        raise ValueError(f"bad digest in image reference {ref!r}: {digest!r}")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = name[colon + 1 :] if colon > slash else None
    repo = name[:colon] if colon > slash else name
    if tag == "" or not repo:
        raise ValueError(f"bad image reference {ref!r}")
    parts = repo.split("/")
    registry = (
        parts[0]
        if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost")
        else None
    )
    repository = "/".join(parts[1:] if registry else parts)
    repository = repository.removeprefix("library/")
    return ImageRef(repository, tag, digest or None, registry)


def is_pinned(ref: ImageRef) -> bool:
    """A digest, a full x.y.z version, a dated release tag, or x.y for images versioned in two parts."""
    if ref.digest:
        return True
    if ref.tag is None or ref.tag == "latest":
        return False
    if re.search(r"(^|[^\d.])v?\d+\.\d+\.\d+", ref.tag) or re.match(r"RELEASE\.\d{4}-\d{2}-\d{2}T", ref.tag):
        return True
    return ref.repository in TWO_PART_VERSION_REPOS and re.match(r"\d+\.\d+(-|$)", ref.tag) is not None


def rule_image_pinned(raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """A floating tag changes under you: two developers, or CI and production, run different servers."""
    findings = []
    for service in model.services.values():
        try:
            pinned = is_pinned(parse_image_ref(service.image))
        except ValueError as exc:
            findings.append(
                finding(
                    "compose.image-pinned", f"service {service.name}", "a valid image reference", str(exc)
                )
            )
            continue
        if not pinned:
            findings.append(
                finding(
                    "compose.image-pinned",
                    f"service {service.name}",
                    "a pinned tag (x.y.z, a RELEASE date) or a digest",
                    f"image {service.image!r}",
                    "pin the exact version, e.g. redis:7.4.1-bookworm",
                )
            )
    return findings
