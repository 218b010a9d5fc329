"""Constraint and index names: as a SQLAlchemy naming convention renders them, then as PostgreSQL
stores them, and which of them collide.

What a database really ends up with (what `create_all()` and Alembic's `op.f(...)` create):

1. SQLAlchemy expands the template (`MetaData(naming_convention=...)`); we let SQLAlchemy itself do
   that, on a throwaway table, so every token it knows is rendered exactly as it renders it.
2. SQLAlchemy shortens a convention name longer than the dialect's limit (63 *characters* for
   PostgreSQL) to its first 55 characters + `_` + the last 4 hex digits of its md5
   (`sqlalchemy_truncate`). An explicit (non-convention) name that long is refused instead.
3. PostgreSQL keeps the first 63 *bytes* (NAMEDATALEN - 1) of an identifier, never splitting a
   UTF-8 character (`pg_truncate`); this matters when step 2 left a name of at most 63 characters
   but more than 63 bytes, and for names written by hand in raw SQL.

Pure functions, no I/O. Tables in `public` are taken to be modeled without a schema (as usual);
for other schemas the schema is passed on, which changes the `%(column_0_label)s` tokens.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import sqlalchemy as sa

PG_MAX_IDENTIFIER_BYTES = 63  # NAMEDATALEN - 1
SQLALCHEMY_MAX_NAME_CHARS = 63  # PGDialect.max_identifier_length, compared with len(str)
Kind = Literal["pk", "fk", "uq", "ck", "ix"]
KINDS: tuple[Kind, ...] = ("pk", "fk", "uq", "ck", "ix")
_PLACEHOLDER = "zqconstraintnamezq"  # stands for %(constraint_name)s while the template is rendered
_COLUMNS = "zqcolumnszq"  # stands for the column names in `shape`


@dataclass(frozen=True)
class NameSpec:
    """What a naming convention needs to name one constraint or index."""

    kind: Kind
    table: str
    columns: tuple[str, ...] = ()  # in the constraint's or index's order
    referred_table: str | None = None  # foreign keys
    referred_columns: tuple[str, ...] = ()
    constraint_name: str | None = None  # the name given in the model, for %(constraint_name)s
    schema: str | None = None  # None for public
    referred_schema: str | None = None


def pg_truncate(name: str, limit: int = PG_MAX_IDENTIFIER_BYTES) -> str:
    """The identifier PostgreSQL stores: at most `limit` bytes of UTF-8, cut on a character boundary."""
    encoded = name.encode("utf-8")
    if len(encoded) <= limit:
        return name
    return encoded[:limit].decode("utf-8", errors="ignore")


def sqlalchemy_truncate(name: str, limit: int = SQLALCHEMY_MAX_NAME_CHARS) -> str:
    """SQLAlchemy's shortening of a too-long convention name (its `_truncate_and_render_maxlen_name`)."""
    if len(name) <= limit:
        return name
    digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"{name[: limit - 8]}_{digest[-4:]}"


def final_name(convention_name: str) -> str:
    """A convention name as it ends up in the database: SQLAlchemy's shortening, then PostgreSQL's."""
    return pg_truncate(sqlalchemy_truncate(convention_name))


def effective(convention: Mapping[str, Any]) -> Mapping[str, Any]:
    """The convention SQLAlchemy applies: an empty one means its default (`ix_%(column_0_label)s`)."""
    return convention or sa.MetaData().naming_convention


def template(convention: Mapping[str, Any], kind: Kind) -> str | None:
    """The convention's template for `kind`, or None (no template: the database picks the name)."""
    value = effective(convention).get(kind)
    return value if isinstance(value, str) else None


def _column(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.types.NullType())


def _schema_item(spec: NameSpec, table: sa.Table, md: sa.MetaData) -> sa.Index | sa.Constraint:
    if spec.kind == "ix":
        return sa.Index(spec.constraint_name, *(table.c[c] for c in spec.columns))
    item: sa.Constraint
    if spec.kind == "pk":
        item = sa.PrimaryKeyConstraint(*spec.columns, name=spec.constraint_name)
    elif spec.kind == "uq":
        item = sa.UniqueConstraint(*spec.columns, name=spec.constraint_name)
    elif spec.kind == "fk":
        referred = sa.Table(spec.referred_table or "", md, schema=spec.referred_schema)  # built already
        item = sa.ForeignKeyConstraint(
            list(spec.columns), [referred.c[c] for c in spec.referred_columns], name=spec.constraint_name
        )
    else:  # a condition over the columns, so that %(column_0_name)s works for checks too
        condition = sa.and_(sa.true(), *(table.c[c].is_not(None) for c in spec.columns))
        item = sa.CheckConstraint(condition, name=spec.constraint_name)
    table.append_constraint(item)
    return item


@lru_cache(maxsize=4096)
def _render(convention: tuple[tuple[str, str], ...], spec: NameSpec) -> str | None:
    md = sa.MetaData(naming_convention=dict(convention))
    own = list(spec.columns)
    if spec.kind == "fk":
        if (spec.referred_table, spec.referred_schema) == (spec.table, spec.schema):
            own += spec.referred_columns  # a self-reference: one table holds both sides
        else:
            sa.Table(
                spec.referred_table or "",
                md,
                *map(_column, spec.referred_columns),
                schema=spec.referred_schema,
            )
    table = sa.Table(spec.table, md, *map(_column, dict.fromkeys(own)), schema=spec.schema)
    try:
        name = _schema_item(spec, table, md).name
    except (sa.exc.InvalidRequestError, IndexError, KeyError):
        return None  # the convention cannot name it (a token needs what the object lacks)
    return str(name) if isinstance(name, str) and name else None


def convention_name(convention: Mapping[str, Any], spec: NameSpec) -> str | None:
    """The name SQLAlchemy's convention gives `spec`, before any shortening; None without a template."""
    if template(convention, spec.kind) is None:
        return None
    items = tuple(
        sorted((k, v) for k, v in effective(convention).items() if isinstance(k, str) and isinstance(v, str))
    )
    return _render(items, spec)


def expected_name(convention: Mapping[str, Any], spec: NameSpec, actual: str | None = None) -> str | None:
    """The name the database should hold for `spec` under `convention`, shortened as it would be.

    When the template uses `%(constraint_name)s` and `spec.constraint_name` is unknown (the catalog
    does not keep the model's name), it is recovered from `actual`; if `actual` does not fit the
    template, the result shows the template's shape with `<name>` for the unknown part. A name that
    SQLAlchemy shortened with a hash can then only be checked for its shape.
    """
    tmpl = template(convention, spec.kind)
    if tmpl is None:
        return None
    if "%(constraint_name)s" not in tmpl or spec.constraint_name is not None:
        full = convention_name(convention, spec)
        return None if full is None else final_name(full)
    shape = convention_name(convention, _with_name(spec, _PLACEHOLDER))
    if shape is None:
        return None
    prefix, _, suffix = shape.partition(_PLACEHOLDER)
    if actual is not None:
        match = re.fullmatch(re.escape(prefix) + "(.+)" + re.escape(suffix), actual)
        if match:
            return expected_name(convention, _with_name(spec, match[1]))
        if _is_hashed_form(actual, prefix):
            return actual
    return f"{prefix}<name>{suffix}"


def shape(convention: Mapping[str, Any], spec: NameSpec) -> str | None:
    """The template rendered for `spec`'s table with `<columns>` for the columns and `<name>` for the
    constraint name: what an explicitly named object (an expression index) should look like."""
    tmpl = template(convention, spec.kind)
    if tmpl is None:
        return None
    name = _PLACEHOLDER if "%(constraint_name)s" in tmpl else None
    referred = (_COLUMNS,) if spec.kind == "fk" else ()
    placeholder = NameSpec(
        spec.kind,
        spec.table,
        (_COLUMNS,),
        spec.referred_table,
        referred,
        name,
        spec.schema,
        spec.referred_schema,
    )
    full = convention_name(convention, placeholder)
    return None if full is None else full.replace(_COLUMNS, "<columns>").replace(_PLACEHOLDER, "<name>")


def fits_shape(actual: str, shape_text: str) -> bool:
    """`actual` is `shape_text` with something in place of each `<columns>` / `<name>`."""
    parts = re.split(r"<columns>|<name>", shape_text)
    return re.fullmatch("(.+)".join(map(re.escape, parts)), actual, flags=re.DOTALL) is not None


def _with_name(spec: NameSpec, name: str) -> NameSpec:
    return NameSpec(**{**spec.__dict__, "constraint_name": name})


def _is_hashed_form(actual: str, prefix: str) -> bool:
    """`actual` looks like SQLAlchemy's shortening of some name that starts with `prefix`."""
    visible = SQLALCHEMY_MAX_NAME_CHARS - 8
    shortened = re.fullmatch(rf"(.{{{visible}}})_[0-9a-f]{{4}}", actual, flags=re.DOTALL)
    return shortened is not None and shortened[1].startswith(prefix[:visible])


@dataclass(frozen=True)
class Collision:
    """Several distinct objects that PostgreSQL would store under one name."""

    name: str
    objects: tuple[str, ...]


def collisions(named: Iterable[tuple[str, str]]) -> list[Collision]:
    """`(object, name)` pairs -> every stored name (63 bytes) shared by two or more distinct objects."""
    holders: dict[str, set[str]] = defaultdict(set)
    for obj, name in named:
        holders[pg_truncate(name)].add(obj)
    return [Collision(name, tuple(sorted(objs))) for name, objs in sorted(holders.items()) if len(objs) > 1]
