"""Image references (`[registry/]repository[:tag][@digest]`): parsed, and judged pinned or floating.

Pure functions; errors name the bad value. The grammar is Docker's (distribution/reference), minus
bracketed IPv6 registry hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_REGISTRY = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9-]+)*(?::\d+)?")
_TAG = re.compile(r"\w[\w.-]{0,127}")
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
# The tag's first version (7.4.1 in 7.4.1-bookworm, 2.1 in v2.1-3.4.5, 16 in pg16): it names what
# the image is; a full x.y.z elsewhere in the tag is often a base image's or a tool's.
_FIRST_VERSION = re.compile(r"\d+(?:\.\d+)*")
_MINIO_RELEASE = re.compile(r"RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z")
# PostgreSQL's own versions have two parts since 10: postgres:16.4 names one exact release.
TWO_PART_VERSION_REPOS = frozenset({"postgres", "postgis/postgis", "zulip/zulip-server"})
_TWO_PART = re.compile(r"\d+\.\d+(?:-|$)")
# PostgreSQL before 10 had three-part versions: `9.5` is a major release, `9.5.25` the build.
_PRE_10_POSTGRES = re.compile(r"[1-9]\.\d+(?:-|$)")


@dataclass(frozen=True)
class ImageRef:
    repository: str  # registry and Docker Hub's `library/` removed: "redis", "minio/minio"
    tag: str | None
    digest: str | None = None
    registry: str | None = None  # "quay.io", "localhost:5000"; None for Docker Hub

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}" if self.registry else self.repository
        text += f":{self.tag}" if self.tag is not None else ""
        return text + (f"@{self.digest}" if self.digest else "")


def parse_image_ref(ref: str) -> ImageRef:
    """Split an image reference; a malformed one raises ValueError naming the bad part and value."""
    if not ref or ref != ref.strip() or any(c.isspace() for c in ref):
        raise ValueError(f"not an image reference: {ref!r}")
    name, at, digest = ref.partition("@")
    if at and not _DIGEST.fullmatch(digest):
        raise ValueError(f"image {ref!r}: bad digest {digest!r} (expected e.g. sha256:<64 hex digits>)")
    slash, colon = name.rfind("/"), name.rfind(":")
    repo, tag = (name[:colon], name[colon + 1 :]) if colon > slash else (name, None)
    if tag is not None and not _TAG.fullmatch(tag):
        raise ValueError(f"image {ref!r}: bad tag {tag!r} (letters, digits, '_', '.', '-'; 128 at most)")
    parts = repo.split("/")
    registry = None
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry = parts.pop(0)
        if not _REGISTRY.fullmatch(registry):
            raise ValueError(f"image {ref!r}: bad registry host {registry!r}")
    for part in parts:
        if not _COMPONENT.fullmatch(part):
            raise ValueError(
                f"image {ref!r}: bad repository part {part!r} (lowercase letters, digits, '.', '_', '-')"
            )
    repository = "/".join(parts).removeprefix("library/")
    return ImageRef(repository, tag, digest or None, registry)


def floating_reason(ref: ImageRef) -> str | None:
    """Why `ref` can change under you, or None when it names one exact build.

    Pinned: a digest; a tag whose first version is a full x.y.z (`7.4.1-bookworm`, `0.8.0-pg16`);
    MinIO's dated `RELEASE.<date>T<time>Z`; `x.y` for images whose upstream versions have two parts
    (`postgres:16.4`; before PostgreSQL 10, `9.5` was the major). Floating: no tag, `latest`, words
    (`stable`), major-only tags (`redis:7`, `pg16`), and `v2.1-3.4.5`, which follows every 2.1.z
    release whatever the 3.4.5 is.
    """
    if ref.digest or _MINIO_RELEASE.fullmatch(ref.tag or ""):
        return None
    if ref.tag is None:
        return "no tag (Compose pulls `latest`)"
    if ref.tag == "latest":
        return "tag `latest`"
    first = _FIRST_VERSION.search(ref.tag)
    if first and first.group(0).count(".") >= 2:
        return None
    old_postgres = ref.repository in ("postgres", "postgis/postgis") and _PRE_10_POSTGRES.match(ref.tag)
    if ref.repository in TWO_PART_VERSION_REPOS and _TWO_PART.match(ref.tag) and not old_postgres:
        return None
    return f"tag {ref.tag!r} names no full version (it moves with every release)"


def is_pinned(ref: ImageRef) -> bool:
    return floating_reason(ref) is None
