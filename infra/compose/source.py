"""A compose file as written: its text and its YAML, Compose's merge tags (`!reset`, `!override`) read
as their plain value. Errors name the file (and line) in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from infra.errors import HarnessError


class _ComposeLoader(yaml.SafeLoader):
    """Safe YAML plus Compose's merge tags."""


def _plain(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) and node.value else None


for _tag in ("!reset", "!override"):
    _ComposeLoader.add_constructor(_tag, _plain)


def read_compose_yaml(path: Path) -> tuple[str, dict[str, Any]]:
    """(text, document) of one compose file."""
    if path.is_dir():
        raise HarnessError(
            f"{path} is a directory, not a compose file", "name the file, e.g. DIR/compose.yaml"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HarnessError(
            f"cannot read compose file {path}: {exc.__class__.__name__}",
            "pass an existing UTF-8 file with --compose-file",
        ) from None
    try:
        doc = yaml.load(text, Loader=_ComposeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise HarnessError(
            f"{where}: not valid YAML ({problem})", "fix the file, then run `docker compose config`"
        ) from None
    if not isinstance(doc, dict):
        raise HarnessError(
            f"{path}: a compose file is a mapping, found {type(doc).__name__}",
            "start it with `name:` and `services:`",
        )
    return text, doc
