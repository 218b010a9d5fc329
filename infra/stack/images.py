"""Offline images: a debootstrapped Debian base, then one image per service, built from Debian packages.

Each image carries a label with a hash of its build inputs and is rebuilt only when they change.
A failed build leaves no tagged image, no build container and no dangling layer of ours behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from infra.errors import HarnessError
from infra.progress import Progress

IMAGES_DIR = Path(__file__).resolve().parent / "image_contexts"
INPUTS_LABEL = "org.orderflow.inputs-hash"
COMPONENT_LABEL = "org.orderflow.component"
BASE_SUITE = "trixie"
DEBIAN_MIRROR = "http://deb.debian.org/debian"
BASE_REPO = "orderflow/debian-base"


@dataclass(frozen=True)
class ImageSpec:
    """One offline image: its folder in infra/stack/image_contexts and the tag the override file uses."""

    name: str
    tag: str
    context_dir: Path | None = None  # default: infra/stack/image_contexts/<name>

    @property
    def context(self) -> Path:
        return self.context_dir or IMAGES_DIR / self.name


SERVICE_IMAGES: tuple[ImageSpec, ...] = (
    ImageSpec("postgres", "orderflow/postgres:offline"),
    ImageSpec("redis", "orderflow/redis:offline"),
    ImageSpec("objectstore", "orderflow/objectstore:offline"),
)
_SKIP_IN_HASH = {"node_modules"}


def inputs_hash(paths: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """sha256 over file names and contents (sorted) plus extra strings; stable across machines."""
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    for root in sorted(paths):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            if _SKIP_IN_HASH & set(f.relative_to(root.parent).parts):
                continue
            digest.update(str(f.relative_to(root.parent)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def base_hash() -> str:
    return inputs_hash([IMAGES_DIR / "base"], extra=[BASE_SUITE, DEBIAN_MIRROR, "minbase"])


def base_tag() -> str:
    return f"{BASE_REPO}:{BASE_SUITE}-{base_hash()[:12]}"


def service_hash(spec: ImageSpec) -> str:
    return inputs_hash([spec.context], extra=[base_tag()])


def _docker(*args: str, check: bool = True, **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if check and proc.returncode != 0:
        raise HarnessError(f"`docker {' '.join(args[:2])}` failed: {proc.stderr.strip()[-300:]}")
    return proc  # type: ignore[no-any-return]


def image_label(tag: str, label: str) -> str | None:
    """A label of a local image, or None when the image is absent."""
    proc = _docker(
        "image", "inspect", "--format", f'{{{{ index .Config.Labels "{label}" }}}}', tag, check=False
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def image_present(tag: str) -> bool:
    return _docker("image", "inspect", tag, check=False).returncode == 0


def is_current(tag: str, wanted_hash: str) -> bool:
    return image_label(tag, INPUTS_LABEL) == wanted_hash


def _prune_our_dangling_layers() -> None:
    _docker("image", "prune", "--force", "--filter", f"label={COMPONENT_LABEL}", check=False)


def build_base(progress: Progress) -> str:
    """Debootstrap a minimal Debian and import it; returns its tag. Needs root and debootstrap."""
    tag, wanted = base_tag(), base_hash()
    if is_current(tag, wanted):
        progress.say(f"{tag}: up to date")
        return tag
    if shutil.which("debootstrap") is None or os.geteuid() != 0:
        raise HarnessError(
            "cannot build the offline base image: debootstrap needs root and the debootstrap package",
            "run `sudo bash infra/stack/bootstrap-engine.sh` (installs it), then retry as root",
        )
    with progress.step(f"building {tag} (debootstrap {BASE_SUITE})"), tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "rootfs"
        proc = subprocess.run(
            ["debootstrap", "--variant=minbase", BASE_SUITE, str(root), DEBIAN_MIRROR],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            last = (proc.stdout + proc.stderr).strip().splitlines()[-1:] or ["(no output)"]
            raise HarnessError(
                f"debootstrap {BASE_SUITE} failed: {last[0]}", f"check access to {DEBIAN_MIRROR}"
            )
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for f in (root / junk).glob("*"):
                if f.is_file():
                    f.unlink()
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run(
            [
                "docker",
                "import",
                "--change",
                f"LABEL {INPUTS_LABEL}={wanted}",
                "--change",
                f"LABEL {COMPONENT_LABEL}=debian-base",
                "--change",
                'CMD ["bash"]',
                "-",
                tag,
            ],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        tar.wait()
        if imported.returncode != 0:
            raise HarnessError(f"docker import of {tag} failed: {imported.stderr.strip()}")
    return tag


def _prepare_context(spec: ImageSpec, progress: Progress) -> None:
    """The object store's node_modules come from the host's npm (which trusts the host's CA)."""
    lock = spec.context / "package-lock.json"
    if not lock.exists():
        return
    stamp = spec.context / "node_modules" / ".orderflow-lock-hash"
    wanted = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if shutil.which("npm") is None:
        raise HarnessError(
            f"building {spec.tag} needs npm on the host", "install Node.js and npm (apt-get install npm)"
        )
    with progress.step(f"npm ci for {spec.name}"):
        proc = subprocess.run(
            ["npm", "ci", "--omit=dev", "--no-audit", "--no-fund"],
            cwd=spec.context,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise HarnessError(f"npm ci in {spec.context} failed: {proc.stderr.strip()[-300:]}")
        stamp.write_text(wanted)


def build_service_image(spec: ImageSpec, base: str, progress: Progress) -> bool:
    """Build one service image if its inputs changed; True when it was (re)built."""
    wanted = service_hash(spec)
    if is_current(spec.tag, wanted):
        progress.say(f"{spec.tag}: up to date")
        return False
    _prepare_context(spec, progress)
    with progress.step(f"building {spec.tag}"):
        cmd = [
            "docker",
            "build",
            "--force-rm",
            "--build-arg",
            f"BASE_IMAGE={base}",
            "--label",
            f"{INPUTS_LABEL}={wanted}",
            "--label",
            f"{COMPONENT_LABEL}={spec.name}",
            "-t",
            spec.tag,
            str(spec.context),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            _prune_our_dangling_layers()
            tail = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()][-3:]
            raise HarnessError(
                f"building {spec.tag} from {spec.context}/Dockerfile failed: {' | '.join(tail)}",
                "fix the Dockerfile or check access to the Debian archive; nothing was tagged",
            )
        _prune_our_dangling_layers()  # the version this build replaced, now untagged
    return True


def build_offline_images(progress: Progress | None = None, only: Iterable[str] = ()) -> list[str]:
    """Build (or confirm current) the base and every service image; returns the tags built anew."""
    progress = progress or Progress()
    wanted = set(only)
    base = build_base(progress)
    built = []
    for spec in SERVICE_IMAGES:
        if (not wanted or spec.name in wanted) and build_service_image(spec, base, progress):
            built.append(spec.tag)
    return built


def offline_images_current() -> list[str]:
    """Tags of offline images that are missing or out of date (empty when all are current)."""
    stale = [base_tag()] if not is_current(base_tag(), base_hash()) else []
    return stale + [s.tag for s in SERVICE_IMAGES if not is_current(s.tag, service_hash(s))]
