"""A compose file as written: its text and its YAML, Compose's merge tags (`!reset`, `!override`) read
as their plain value. Errors name the file (and line) in one line.

Bounded on hostile input: only regular files are opened (a FIFO would block the read), a size
limit, a nesting limit and a limit on what aliases expand to (a 515-byte alias bomb names millions
of nodes). `preflight` checks the files a compose file makes Compose read (`.env`, `env_file`,
`include`, `extends`) the same way, before `docker compose` opens them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infra.errors import HarnessError

MAX_COMPOSE_BYTES = 2 * 1024 * 1024  # the largest public compose files are a few hundred KiB
MAX_DEPTH = 64  # Compose files nest a dozen levels at most
MAX_EXPANDED_NODES = 200_000  # nodes after every alias is expanded (the walk the rules would do)


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


class _ComposeLoader(yaml.SafeLoader):
    """Safe YAML plus Compose's merge tags; flow collections (`[`, `{`) nested at most MAX_DEPTH deep
    (the scanner's work grows with the square of the depth: 10,000 `[` took 10 s before failing)."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.line + 1)
        super().fetch_flow_collection_start(TokenClass)


def _plain(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) and node.value else None


for _tag in ("!reset", "!override"):
    _ComposeLoader.add_constructor(_tag, _plain)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: Path, what: str, limit: int, hint: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; anything else is one line, never a block
    (opened non-blocking, its type checked on the open descriptor before any read)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise HarnessError(f"cannot read {what} {path}: {exc.strerror or type(exc).__name__}", hint) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
        os.close(fd)
        if stat.S_ISDIR(info.st_mode):
            raise HarnessError(f"{path} is a directory, not a {what}", "name the file, e.g. DIR/compose.yaml")
        if not stat.S_ISREG(info.st_mode):
            raise HarnessError(f"{what} {path} is {_kind(info.st_mode)}, not a regular file", hint)
        raise HarnessError(
            f"{what} {path} is {info.st_size / 2**20:.1f} MiB; over {limit // 2**20} MiB is refused", hint
        )
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)[:limit]


def refuse_special(path: Path, what: str) -> None:
    """A FIFO, socket or device where Compose expects a file is refused by type (`stat` never blocks)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # absent: Compose says so itself
    if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        raise HarnessError(f"{what} {path} is {_kind(mode)}, not a regular file", "point it at a file")


def _bounded(node: yaml.Node, path: Path) -> None:
    """Refuse a document nested deeper than MAX_DEPTH, or whose aliases expand beyond
    MAX_EXPANDED_NODES: each shared node is sized once (memo), so the check itself is linear."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(node, 1, False)]
    on_path: set[int] = set()
    while stack:
        current, depth, done = stack.pop()
        key = id(current)
        children = _children(current)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                raise HarnessError(
                    f"{path}:{current.start_mark.line + 1}: YAML aliases expand to over "
                    f"{MAX_EXPANDED_NODES} nodes (an alias bomb?); refused",
                    "use fewer nested anchors/aliases",
                )
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise HarnessError(f"{path}:{current.start_mark.line + 1}: a YAML alias refers to itself", "")
        if depth > MAX_DEPTH:
            raise HarnessError(
                f"{path}:{current.start_mark.line + 1}: nested deeper than {MAX_DEPTH} levels; refused",
                "a compose file nests a dozen levels at most",
            )
        on_path.add(key)
        stack.append((current, depth, True))
        stack.extend((c, depth + 1, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _load(text: str, path: Path) -> Any:
    loader = _ComposeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _bounded(node, path)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_compose_yaml(path: Path) -> tuple[str, dict[str, Any]]:
    """(text, document) of one compose file."""
    hint = "pass an existing UTF-8 file with --compose-file"
    raw = read_regular(path, "compose file", MAX_COMPOSE_BYTES, hint)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HarnessError(f"cannot read compose file {path}: not UTF-8", hint) from None
    try:
        doc = _load(text, path)
    except _TooDeep as deep:
        raise HarnessError(
            f"{path}:{deep.line}: nested deeper than {MAX_DEPTH} levels; refused",
            "a compose file nests a dozen levels at most",
        ) from None
    except RecursionError:
        raise HarnessError(
            f"{path}: nested deeper than the YAML reader can follow; refused",
            "a compose file nests a dozen levels at most",
        ) from None
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


@dataclass(frozen=True)
class Preflight:
    """What a compose file makes Compose read besides itself, and which of those lie outside its
    project dir (their content is never relayed: Compose quotes lines of files it cannot parse)."""

    referenced: tuple[Path, ...]
    outside: tuple[Path, ...]


def _paths(value: Any) -> Iterator[str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, Mapping):
            found = item.get("path") or item.get("file")
            yield from _paths(found) if found else ()


def referenced_paths(doc: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(what, path as written) of `include`, services' `env_file` and `extends.file` (pure)."""
    for entry in _paths(doc.get("include") or []):
        yield "include", entry
    services = doc.get("services")
    for service in services.values() if isinstance(services, Mapping) else ():
        if not isinstance(service, Mapping):
            continue
        for entry in _paths(service.get("env_file") or []):
            yield "env_file", entry
        extends = service.get("extends")
        if isinstance(extends, Mapping) and isinstance(extends.get("file"), str):
            yield "extends file", str(extends["file"])


def preflight(files: tuple[Path, ...], project_dir: Path, env_file: Path | None) -> Preflight:
    """Read each compose file (bounded) and check what it references, before Compose opens anything."""
    referenced: list[Path] = []
    for name, path in [("env file", env_file or project_dir / ".env")]:
        refuse_special(path, name)
    for compose_file in files:
        _, doc = read_compose_yaml(compose_file)
        for what, written in referenced_paths(doc):
            if "$" in written:
                continue  # interpolated: Compose resolves it; its errors stay masked
            path = (compose_file.parent / os.path.expanduser(written)).resolve()
            refuse_special(path, f"{what} of {compose_file}:")
            referenced.append(path)
    outside = tuple(p for p in referenced if not p.is_relative_to(project_dir.resolve()))
    return Preflight(tuple(referenced), outside)
