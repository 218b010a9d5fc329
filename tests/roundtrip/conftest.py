"""A throwaway git repository holding a small Alembic tree, for the pre-merge round trip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "migrations" / "examples"


class TreeRepo:
    """`main` holds revision a1; the working tree gets whatever a test adds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tree = root / "tree"
        self.ini = self.tree / "alembic.ini"
        self.versions = self.tree / "versions"

    def git(self, *args: str) -> None:
        subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True)

    def add_revision(self, scenario: str, filename: str) -> None:
        shutil.copy(EXAMPLES / scenario / "versions" / filename, self.versions / filename)


INI = """[alembic]
script_location = %(here)s/../_env
version_locations = %(here)s/versions
path_separator = os
models = %(here)s/models.py
"""


@pytest.fixture
def tree_repo(tmp_path: Path) -> TreeRepo:
    repo = TreeRepo(tmp_path / "repo")
    shutil.copytree(EXAMPLES / "_env", repo.root / "_env")
    repo.versions.mkdir(parents=True)
    repo.ini.write_text(INI)
    shutil.copy(EXAMPLES / "_base" / "models.py", repo.tree / "models.py")
    repo.add_revision("_base", "a1_create_org.py")
    repo.git("init", "-q", "-b", "main")
    repo.git("add", ".")
    repo.git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "a1")
    return repo
