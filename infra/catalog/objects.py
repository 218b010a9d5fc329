"""One frozen dataclass per catalog object kind. Nothing here depends on a database's identity: no
OIDs, relfilenodes or database names, no column positions (columns form a set), owners only when
asked for. ACLs are normalized aclitem texts (see infra.catalog.snapshot.normalize_acl)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from infra.catalog.base import CatalogObject, SchemaObject, TableObject, qualified


@dataclass(frozen=True)
class Schema(CatalogObject):
    kind: ClassVar[str] = "schema"
    section: ClassVar[str] = "schemas"
    name: str
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str | None = None

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class Extension(CatalogObject):
    """Database-wide; its member objects (functions, types, operators) are not listed separately."""

    kind: ClassVar[str] = "extension"
    section: ClassVar[str] = "extensions"
    name: str
    version: str
    schema: str
    comment: str | None = None

    @property
    def key(self) -> str:
        return self.name

    def summary(self) -> str:
        return f"{self.version} in schema {self.schema}"


@dataclass(frozen=True)
class Table(SchemaObject):
    kind: ClassVar[str] = "table"
    section: ClassVar[str] = "tables"
    relkind: str  # "table", "partitioned table" or "foreign table"
    persistence: str = "permanent"
    parents: tuple[str, ...] = ()  # inheritance parents, a partition's parent included
    partition_bound: str | None = None
    partition_key: str | None = None
    options: tuple[str, ...] = ()
    row_security: bool = False
    force_row_security: bool = False
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str | None = None

    def summary(self) -> str:
        return self.relkind


@dataclass(frozen=True)
class Column(TableObject):
    kind: ClassVar[str] = "column"
    section: ClassVar[str] = "columns"
    type: str  # format_type(): "character varying(50)", "timestamp with time zone"...
    not_null: bool
    default: str | None = None
    identity: str | None = None  # "ALWAYS" or "BY DEFAULT"
    generated: str | None = None  # "(expression) STORED"
    collation: str | None = None  # only when it differs from the type's default
    comment: str | None = None
    acl: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{qualified(self.schema, self.table)}.{self.name}"

    def summary(self) -> str:
        parts = [self.type, "NOT NULL" if self.not_null else "NULL"]
        if self.default is not None:
            parts.append(f"DEFAULT {self.default}")
        if self.identity:
            parts.append(f"GENERATED {self.identity} AS IDENTITY")
        if self.generated:
            parts.append(f"GENERATED ALWAYS AS {self.generated}")
        return " ".join(parts)


@dataclass(frozen=True)
class Constraint(TableObject):
    """`table` is the domain's name for a domain constraint."""

    kind: ClassVar[str] = "constraint"
    section: ClassVar[str] = "constraints"
    type: str  # "primary key", "foreign key", "unique", "check", "exclusion", "trigger", "not null"
    definition: str  # pg_get_constraintdef()
    columns: tuple[str, ...] = ()  # in the constraint's order
    referred_schema: str | None = None
    referred_table: str | None = None
    referred_columns: tuple[str, ...] = ()
    on_domain: bool = False
    comment: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} on {'domain ' if self.on_domain else ''}{qualified(self.schema, self.table)}"

    def summary(self) -> str:
        return self.definition


@dataclass(frozen=True)
class Index(SchemaObject):
    kind: ClassVar[str] = "index"
    section: ClassVar[str] = "indexes"
    table: str
    definition: str  # pg_get_indexdef(): method, opclasses, WHERE, INCLUDE
    method: str
    columns: tuple[str | None, ...] = ()  # key columns in order; None for an expression
    expressions: tuple[str, ...] = ()  # the expression keys, in order
    include: tuple[str, ...] = ()
    unique: bool = False
    primary: bool = False
    predicate: str | None = None
    constraint: str | None = None  # the constraint it implements (primary key, unique, exclusion)
    valid: bool = True
    comment: str | None = None

    def summary(self) -> str:
        return self.definition


@dataclass(frozen=True)
class Sequence(SchemaObject):
    kind: ClassVar[str] = "sequence"
    section: ClassVar[str] = "sequences"
    type: str
    start: int
    increment: int
    min: int
    max: int
    cache: int
    cycle: bool
    owned_by: str | None = None  # "table.column"
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str | None = None

    def summary(self) -> str:
        owned = f" owned by {self.owned_by}" if self.owned_by else ""
        return f"{self.type} start {self.start} increment {self.increment}{owned}"


@dataclass(frozen=True)
class Type(SchemaObject):
    kind: ClassVar[str] = "type"
    section: ClassVar[str] = "types"
    type_kind: str  # "enum", "domain", "composite" or "range"
    labels: tuple[str, ...] = ()  # an enum's labels in sort order
    base: str | None = None  # a domain's base type, a range's subtype
    attributes: tuple[str, ...] = ()  # a composite's "name type", in order
    not_null: bool = False
    default: str | None = None
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str | None = None

    def summary(self) -> str:
        detail = ", ".join(self.labels or self.attributes) or self.base or ""
        return f"{self.type_kind} ({detail})" if detail else self.type_kind


@dataclass(frozen=True)
class View(SchemaObject):
    kind: ClassVar[str] = "view"
    section: ClassVar[str] = "views"
    materialized: bool
    definition: str  # pg_get_viewdef(oid, true)
    options: tuple[str, ...] = ()
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str | None = None

    def summary(self) -> str:
        return ("materialized: " if self.materialized else "") + " ".join(self.definition.split())


@dataclass(frozen=True)
class Function(SchemaObject):
    """Identified by signature; the body is compared by hash (a changed body shows as body_md5)."""

    kind: ClassVar[str] = "function"
    section: ClassVar[str] = "functions"
    identity_arguments: str  # pg_get_function_identity_arguments()
    function_kind: str  # "function", "procedure", "aggregate" or "window"
    arguments: str  # with names and defaults
    returns: str | None
    language: str
    volatility: str
    strict: bool
    security_definer: bool
    parallel: str
    body_md5: str  # of prosrc, or of the deparsed SQL-standard body
    config: tuple[str, ...] = ()
    comment: str | None = None
    acl: tuple[str, ...] = ()
    owner: str | None = None

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}({self.identity_arguments})"

    @property
    def label(self) -> str:
        return f"{qualified(self.schema, self.name)}({self.identity_arguments})"

    def summary(self) -> str:
        return f"{self.function_kind} returns {self.returns} language {self.language} {self.volatility}"


@dataclass(frozen=True)
class Trigger(TableObject):
    kind: ClassVar[str] = "trigger"
    section: ClassVar[str] = "triggers"
    definition: str  # pg_get_triggerdef(): timing, events, WHEN, function
    enabled: str = "origin"
    comment: str | None = None

    def summary(self) -> str:
        return self.definition


@dataclass(frozen=True)
class Policy(TableObject):
    kind: ClassVar[str] = "policy"
    section: ClassVar[str] = "policies"
    command: str
    permissive: bool
    roles: tuple[str, ...] = ()
    using: str | None = None
    check: str | None = None

    def summary(self) -> str:
        return f"FOR {self.command} USING ({self.using}) WITH CHECK ({self.check})"
