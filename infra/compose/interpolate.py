"""Variable references as Compose reads them: in YAML values (never comments), with its semantics.

`${X}` / `$X` empty when unset; `${X-d}` d when unset; `${X:-d}` d when unset or empty;
`${X?m}` / `${X:?m}` refuse (unset / unset or empty); `${X+a}` / `${X:+a}` a when set (and non-empty).
`$$` is a literal `$`. Pure functions, unit-tested; `docker compose config` stays the authority for
the resolved model, this module explains it (which references, which defaults, what Compose refuses).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":?", "?", ":-", "-", ":+", "+")


@dataclass(frozen=True)
class Reference:
    """One `${NAME<op><arg>}` or `$NAME` in a value."""

    name: str
    op: str = ""  # "", "-", ":-", "?", ":?", "+", ":+"
    arg: str = ""
    braced: bool = True

    @property
    def required(self) -> bool:
        return "?" in self.op

    @property
    def default(self) -> str | None:
        """The fallback value written in the file, or None when there is none."""
        return self.arg if "-" in self.op else None

    @property
    def optional_empty(self) -> bool:
        """`${X:-}` / `${X-}`: written as explicitly optional, empty when unset."""
        return self.default == ""

    def written(self) -> str:
        return f"${{{self.name}{self.op}{self.arg}}}" if self.braced else f"${self.name}"


def _split(body: str) -> Reference:
    name = _NAME.match(body)
    if name is None:
        raise ValueError(f"bad variable reference ${{{body}}}")
    rest = body[name.end() :]
    op = next((o for o in _OPERATORS if rest.startswith(o)), "")
    if rest and not op:
        raise ValueError(f"bad variable reference ${{{body}}}")
    return Reference(name.group(0), op, rest[len(op) :])


def references(text: str) -> Iterator[Reference]:
    """Every reference in one value, outermost first, then those nested in defaults; `$$` skipped."""
    i = 0
    while i < len(text):
        if text[i] != "$":
            i += 1
            continue
        if text.startswith("$$", i):
            i += 2
            continue
        if text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0) if text[j - 1] == "$" or text[j] == "}" else 0
                j += 1
            ref = _split(text[i + 2 : j - 1])
            yield ref
            yield from references(ref.arg)
            i = j
            continue
        bare = _NAME.match(text, i + 1)
        if bare:
            yield Reference(bare.group(0), braced=False)
            i = bare.end()
        else:
            i += 1


class Refused(ValueError):
    """Compose would refuse to resolve this value (`${X:?}` with X unset or empty)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"required variable {name} is missing a value: {message}")
        self.name = name


def resolve(text: str, env: Mapping[str, str]) -> str:
    """`text` as Compose interpolates it with `env` (its `.env` values and the shell's)."""
    out, i = [], 0
    while i < len(text):
        if text.startswith("$$", i):
            out.append("$")
            i += 2
        elif text.startswith("${", i):
            depth, j = 1, i + 2
            while j < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[j], 0) if text[j - 1] == "$" or text[j] == "}" else 0
                j += 1
            out.append(_value(_split(text[i + 2 : j - 1]), env))
            i = j
        elif text[i] == "$" and (bare := _NAME.match(text, i + 1)):
            out.append(env.get(bare.group(0), ""))
            i = bare.end()
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _value(ref: Reference, env: Mapping[str, str]) -> str:
    value = env.get(ref.name)
    colon = ref.op.startswith(":")
    present = value is not None and (value != "" or not colon)
    if ref.op.endswith("?") and not present:
        raise Refused(ref.name, ref.arg)
    if ref.op.endswith("-") and not present:
        return resolve(ref.arg, env)
    if ref.op.endswith("+"):
        return resolve(ref.arg, env) if present else ""
    return value or ""


def string_values(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path, text) of every string value (and mapping key) in parsed YAML; comments are gone already."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield (*path, str(key)), str(key)
            yield from string_values(value, (*path, str(key)))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from string_values(value, (*path, str(index)))
    elif isinstance(node, str):
        yield path, node


def refused_variables(doc: Any, env: Mapping[str, str]) -> list[str]:
    """Variables of `${X?}` / `${X:?}` references that Compose would refuse to resolve with `env`."""
    refused = set()
    for _, text in string_values(doc):
        for ref in references(text):
            if ref.required and _refused(ref, env):
                refused.add(ref.name)
    return sorted(refused)


def _refused(ref: Reference, env: Mapping[str, str]) -> bool:
    try:
        _value(ref, env)
    except Refused:
        return True
    return False
