"""Which images the stack runs on: upstream (the registry's) or offline (built here from Debian packages)."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from infra.compose.model import ComposeFiles
from infra.environ import run_bounded
from infra.progress import Progress
from infra.stack import images
from infra.stack.offline_override import OFFLINE_OVERRIDE, fitted

__all__ = ["OFFLINE_OVERRIDE", "Profile", "ProfileName", "choose", "prepare"]
ProfileName = Literal["auto", "upstream", "offline"]
PULL_TIMEOUT_S = 120


@dataclass(frozen=True)
class Profile:
    name: Literal["upstream", "offline"]
    reason: str

    def files(self, base: ComposeFiles, service_images: Mapping[str, str] | None = None) -> ComposeFiles:
        """The compose files for this profile: the offline one merges its override after the base,
        fitted to the base's services (service -> image; None: OrderFlow's own file, the override as
        it is): only services it knows by image, never one the base does not have."""
        if self.name == "upstream":
            return base
        override = OFFLINE_OVERRIDE if service_images is None else fitted(service_images)[0]
        if override is None:
            return base
        return ComposeFiles(files=(*base.files, override), env_file=base.env_file)


def _available(image: str) -> bool:
    if images.image_present(image):
        return True
    try:
        pull = run_bounded(["docker", "pull", "-q", image], timeout=PULL_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return False
    return pull.returncode == 0


def choose(requested: ProfileName, images: Mapping[str, str]) -> Profile:
    """Resolve `auto`: upstream when every image (service -> image) is present or pullable, else offline."""
    if requested == "upstream":
        return Profile("upstream", "requested")
    if requested == "offline":
        return Profile("offline", "requested")
    missing = [image for image in images.values() if not _available(image)]
    if not missing:
        return Profile("upstream", "all upstream images are present or pullable")
    return Profile("offline", f"not present and not pullable: {', '.join(missing)}")


def prepare(profile: Profile, progress: Progress) -> None:
    """Make sure the profile's images exist locally (builds the offline ones when stale)."""
    if profile.name == "offline":
        images.build_offline_images(progress)
