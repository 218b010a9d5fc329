"""The convention audit: one rule per schema/CONVENTIONS.md rule, over a catalog snapshot.

`audit(snapshot, naming_convention)` returns every violation as a Finding whose check id is the
rule's id and whose `where` names the table, column, constraint or index. Each rule is a plain
function whose docstring gives its title, why it exists and how to fix a violation (`RULES[id].why`,
`.fix`), which the nightly report shows. Generic: the schema's naming convention and the tenant
table's name come in as arguments; nothing here imports the application's schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from infra.audit.column_types import jsonb_not_json, text_not_varchar, timestamptz_not_timestamp
from infra.audit.names import column_names, constraint_names, index_names, table_names
from infra.audit.rule import Rule, rule
from infra.audit.shape import pk_uuid_id, tenant_org_id, timestamps
from infra.audit.view import AuditOptions, SchemaView, is_snake_case, looks_plural
from infra.catalog import CatalogSnapshot
from infra.findings import Finding

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        table_names,
        column_names,
        pk_uuid_id,
        timestamps,
        tenant_org_id,
        constraint_names,
        index_names,
        jsonb_not_json,
        timestamptz_not_timestamp,
        text_not_varchar,
    )
}


def audit(
    snapshot: CatalogSnapshot,
    naming_convention: Mapping[str, Any],
    exclude_tables: Iterable[str] = ("alembic_version",),
    *,
    rules: Iterable[str] | None = None,
    options: AuditOptions | None = None,
) -> list[Finding]:
    """Every violation of the selected rules (all by default), rule by rule in RULES order.

    `exclude_tables`: bare or `schema.table` names the conventions do not apply to. An unknown rule
    id is an error naming it.
    """
    selected = list(RULES) if rules is None else list(rules)
    unknown = [r for r in selected if r not in RULES]
    if unknown:
        raise ValueError(f"unknown audit rule(s) {unknown}; known: {', '.join(RULES)}")
    view = SchemaView.of(snapshot, naming_convention, exclude_tables, options)
    return [finding for rule_id in RULES if rule_id in selected for finding in RULES[rule_id](view)]


__all__ = [
    "RULES",
    "AuditOptions",
    "Rule",
    "SchemaView",
    "audit",
    "is_snake_case",
    "looks_plural",
    "rule",
]
