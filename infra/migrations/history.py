"""An Alembic history at a git ref, compared with the working tree's: what is new, what was rewritten.

Revision files are read as text (never imported), so an old ref's code is never executed.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from infra.errors import HarnessError
from infra.findings import Check, Finding, produces

_REVISION = re.compile(r"^revision(?:\s*:\s*[\w\[\]|, ]+)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[\w\[\]|, .]+)?\s*=\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class RevisionFile:
    id: str
    down: tuple[str, ...]  # () for the first revision; two or more for a merge
    sha256: str
    path: str


def parse_revision_file(text: str, path: str) -> RevisionFile | None:
    """The revision id and down revisions of one version file; None when it declares none."""
    rev = _REVISION.search(text)
    if rev is None:
        return None
    down = _DOWN.search(text)
    downs = tuple(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1))) if down else ()
    return RevisionFile(rev.group(1), downs, hashlib.sha256(text.encode()).hexdigest(), path)


def heads(revisions: dict[str, RevisionFile]) -> list[str]:
    referenced = {d for r in revisions.values() for d in r.down}
    return sorted(r for r in revisions if r not in referenced)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise HarnessError(f"`git {' '.join(args)}` failed in {repo}: {proc.stderr.strip()}")
    return proc.stdout


def repo_root(path: Path) -> Path:
    try:
        return Path(git(path, "rev-parse", "--show-toplevel").strip())
    except HarnessError:
        raise HarnessError(
            f"{path} is not in a git repository", "the round trip compares with a git ref"
        ) from None


def revisions_at(repo: Path, ref: str, versions_dir: Path) -> dict[str, RevisionFile]:
    """Revision files under `versions_dir` as they are at `ref` (HarnessError when the ref is unknown)."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise HarnessError(
            f"git ref {ref!r} does not exist in {repo}",
            "fetch it first (e.g. `git fetch origin main`) or pass another --base",
        )
    rel = versions_dir.resolve().relative_to(repo.resolve())
    names = git(repo, "ls-tree", "-r", "--name-only", ref, "--", str(rel)).split()
    found = {}
    for name in names:
        if name.endswith(".py"):
            parsed = parse_revision_file(git(repo, "show", f"{ref}:{name}"), name)
            if parsed:
                found[parsed.id] = parsed
    return found


def revisions_in(versions_dir: Path) -> dict[str, RevisionFile]:
    """Revision files in the working tree."""
    found = {}
    for path in sorted(versions_dir.glob("*.py")):
        parsed = parse_revision_file(path.read_text(encoding="utf-8"), str(path))
        if parsed:
            found[parsed.id] = parsed
    return found


@produces("migrations.history-unchanged")
def rewritten_findings(
    check: Check, base: dict[str, RevisionFile], head: dict[str, RevisionFile], ref: str
) -> list[Finding]:
    """Revisions merged at the base ref are not edited or deleted.

    Why: Databases that already ran a revision never run it again: editing it forks the schema silently.
    """
    findings = []
    for rev_id, old in sorted(base.items()):
        new = head.get(rev_id)
        if new is None:
            findings.append(
                Finding(
                    check.id,
                    f"revision {rev_id}",
                    f"kept as it is at {ref}",
                    "deleted",
                    "restore it; change the schema with a new revision instead",
                )
            )
        elif new.sha256 != old.sha256 or new.down != old.down:
            findings.append(
                Finding(
                    check.id,
                    f"revision {rev_id} ({Path(new.path).name})",
                    f"unchanged since {ref}",
                    "edited",
                    "revert the edit; databases that ran it will never run it again",
                )
            )
    return findings
