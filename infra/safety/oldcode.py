"""Old code against the new schema: the previous release keeps running while (and after) the new
revisions are applied, so the base ref's models must still insert, select and update every table.

The base ref's tree is exported with `git archive` into a temporary directory and its models are run
in a separate process (infra/safety/oldcode_child.py), so nothing of the working tree's models leaks
in. A column dropped or renamed, a NOT NULL column without a default, a narrowed type: each shows as a
finding naming the table and the column.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from infra.errors import HarnessError
from infra.findings import Finding, declare
from infra.migrations import history

OLD_CODE = declare(
    "safety.old-code-compatible",
    """The base ref's models insert, select and update every table of the new schema.

    Why: the previous release keeps running during and after the deploy: a dropped or renamed column,
    a NOT NULL column without a default or a narrowed type breaks it before the new code is live.
    Fix: expand, then contract: add columns nullable or with a default, and drop, rename or narrow a
    column only once no deployed release uses it.
    """,
    required=("Why", "Fix"),
)

CHILD = Path(__file__).with_name("oldcode_child.py")


def export(repo: Path, ref: str, into: Path) -> None:
    """The tree at `ref` (tracked files only) into `into`."""
    proc = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", ref], capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise HarnessError(
            f"cannot export {ref!r} from {repo}: {proc.stderr.decode(errors='replace').strip()}",
            "fetch the ref first or pass another --base",
        )
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        tar.extractall(into, filter="data")


def old_code_findings(
    repo: Path, base_ref: str, models: str, url: str, timeout_s: float = 120.0
) -> tuple[list[Finding], list[str]]:
    """Run the base ref's models (`module:attribute`, or `path/in/repo.py:attribute`) against the database
    at `url` (already at the new head). Returns (findings, tables exercised)."""
    history.git(repo, "rev-parse", "--verify", f"{base_ref}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="orderflow-base-") as tmp:
        export(repo, base_ref, Path(tmp))
        proc = subprocess.run(
            [sys.executable, str(CHILD), tmp, models],
            input=url + "\n",  # on stdin, not on the command line or in the environment: it holds a password
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout_s,
            cwd=tmp,
        )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise HarnessError(
            f"the base ref's models ({models} at {base_ref}) could not run: {last}",
            "is --models right for that ref?",
        )
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    findings = [
        OLD_CODE.finding(
            f"table {f['table']}" + (f", column {f['column']}" if f.get("column") else ""),
            f"the {base_ref} models can {f['operation']} rows",
            f["error"],
            OLD_CODE.fix,
        )
        for f in doc["failures"]
    ]
    return findings, list(doc["tables"])
