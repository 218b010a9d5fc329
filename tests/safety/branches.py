"""A throwaway git repository for the pre-merge cases: the base commit holds org and item (revisions
a1, a2) with the release's models (models.py); the working tree adds tests/safety/premerge/<change>."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent
SHARED = [
    HERE.parent / "migrations" / "examples" / "_base" / "versions",
    HERE / "examples" / "_setup" / "versions",
]


def branch(tmp_path: Path, change: str) -> Path:
    repo = tmp_path / change
    (repo / "versions").mkdir(parents=True)
    for folder in SHARED:
        for revision in folder.glob("*.py"):
            shutil.copy(revision, repo / "versions" / revision.name)
    shutil.copy(HERE / "oldcode" / "base_models.py", repo / "models.py")
    (repo / "alembic.ini").write_text(
        "[alembic]\n"
        f"script_location = {HERE.parent / 'migrations' / 'examples' / '_env'}\n"
        "version_locations = %(here)s/versions\npath_separator = space\n"
    )

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-qm", "base")
    for revision in (HERE / "premerge" / change).glob("*.py"):
        shutil.copy(revision, repo / "versions" / revision.name)
    return repo
