"""Where in a compose file a finding points: the line and column of the offending key.

The text already read (RawFile.text) is composed into PyYAML nodes, whose marks give the position of
every key. Composing never constructs values and an alias stays one node shared by its users, so a
file full of aliases costs no more here than its text; only the path to one key is walked. A key a
service inherits through a merge key (`<<: *defaults`) is found where the anchor defines it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from infra.compose.rules import (
    exposure,
    hardening,
    health,
    layout,
    pinning,
    postgres,
    readiness,
    secrets,
    suppression,
)
from infra.compose.rules.common import ComposeFinding, RawFile
from infra.findings import Location

# The service keys a check judges, most specific first; the service's own key when none is written.
KEYS_BY_CHECK = {
    pinning.rule_image_pinned.id: ("image",),
    health.rule_healthcheck_present.id: ("healthcheck",),
    health.rule_healthcheck_wellformed.id: ("healthcheck",),
    health.rule_healthcheck_no_early_pass.id: ("healthcheck",),
    readiness.rule_health_budget.id: ("healthcheck",),
    readiness.rule_probe_not_port_only.id: ("healthcheck",),
    exposure.rule_ports_loopback.id: ("ports",),
    exposure.rule_ports_from_env.id: ("ports",),
    layout.rule_named_volumes.id: ("volumes",),
    exposure.rule_no_docker_sock.id: ("volumes",),
    exposure.rule_no_privileged.id: ("privileged",),
    exposure.rule_no_host_namespaces.id: ("network_mode", "pid", "ipc", "userns_mode", "uts"),
    layout.rule_graceful_stop.id: ("stop_grace_period", "stop_signal"),
    readiness.rule_depends_on_healthy.id: ("depends_on",),
    hardening.rule_memory_limit.id: ("deploy", "mem_limit"),
    hardening.rule_privileges_dropped.id: ("cap_drop", "security_opt"),
    hardening.rule_log_rotation.id: ("logging",),
    hardening.rule_no_container_name.id: ("container_name",),
    postgres.rule_postgres_shm.id: ("shm_size",),
    postgres.rule_no_trust_auth.id: ("environment",),
    secrets.rule_no_default_secrets.id: ("environment",),
    secrets.rule_secrets_required.id: ("environment",),
    suppression.rule_suppression_reason.id: ("x-orderflow-lint",),
}
TOP_KEYS_BY_CHECK = {layout.rule_no_version_key.id: "version", layout.rule_name_set.id: "name"}
_DETAIL = re.compile(r"^service [^,\s]+(?:, (?P<detail>.*?))?(?: in \S+)?$")


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _entries(node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's (key, value) pairs, its own first, then those merged in with `<<` (one level)."""
    if not isinstance(node, yaml.MappingNode):
        return []
    own = [(k, v) for k, v in node.value if not (isinstance(k, yaml.ScalarNode) and k.value == "<<")]
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == "<<":
            for source in v.value if isinstance(v, yaml.SequenceNode) else [v]:
                if isinstance(source, yaml.MappingNode):
                    merged += [(mk, mv) for mk, mv in source.value if isinstance(mk, yaml.ScalarNode)]
    return own + merged


def _key(node: yaml.Node, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(
        ((k, v) for k, v in _entries(node) if isinstance(k, yaml.ScalarNode) and k.value == name), None
    )


def _item(node: yaml.Node, wanted: str) -> yaml.Node | None:
    """In a list (or mapping) node, the entry naming `wanted`: `NAME=...`, `NAME`, an index, a port or
    path it contains."""
    if isinstance(node, yaml.MappingNode):
        hit = _key(node, wanted)
        return hit[0] if hit else None
    if not isinstance(node, yaml.SequenceNode):
        return None
    if (
        wanted.isdigit()
        and int(wanted) < len(node.value)
        and not any(isinstance(i, yaml.ScalarNode) and wanted in i.value for i in node.value)
    ):
        picked: yaml.Node = node.value[int(wanted)]
        return picked
    items: list[yaml.Node] = node.value
    for item in items:
        text = item.value if isinstance(item, yaml.ScalarNode) else ""
        if isinstance(item, yaml.MappingNode):
            text = " ".join(v.value for _, v in item.value if isinstance(v, yaml.ScalarNode))
        named = re.search(rf"(?<![\w/]){re.escape(wanted)}\b", text)
        if text == wanted or text.startswith(f"{wanted}=") or named:
            return item
    return None


def _detail_path(detail: str) -> tuple[str | None, str | None]:
    """(service key, entry) a finding's detail names: `environment.X`, `environment X`, `command.2`,
    `port 6379`, `/data`, `x-orderflow-lint`."""
    detail = detail.split(":", 1)[0].strip()
    if detail.startswith("port "):
        return "ports", detail.removeprefix("port ").split()[0]
    if detail.startswith("/"):
        return "volumes", detail.split()[0]
    head, sep, rest = detail.partition(".")
    if sep and re.fullmatch(r"[a-z_-]+", head):
        return head, rest.split()[0] if rest else None
    words = detail.split()
    if len(words) >= 2 and re.fullmatch(r"[a-z_-]+", words[0]):
        return words[0], words[1]
    return (words[0], None) if words and re.fullmatch(r"[a-z_-]+", words[0]) else (None, None)


def _in_service(service: yaml.Node, finding: ComposeFinding) -> yaml.Node:
    match = _DETAIL.match(finding.where)
    key, entry = _detail_path(match.group("detail") or "") if match else (None, None)
    if key is not None:
        hit = _key(service, key)
        if hit is not None:
            found = _item(hit[1], entry) if entry else None
            return found or hit[0]
    for name in KEYS_BY_CHECK.get(finding.check_id, ()):
        hit = _key(service, name)
        if hit is not None:
            return hit[0]
    return service


def _located(raw: RawFile, node: yaml.Node) -> Location:
    return Location(str(raw.path), node.start_mark.line + 1, node.start_mark.column + 1)


def locate(raw: Sequence[RawFile], finding: ComposeFinding) -> Location | None:
    """The file (as named), line and column a finding points at, or None when it names no place in
    the compose files; an env file's finding points at that file."""
    if finding.where.startswith("env file "):
        name = finding.where.removeprefix("env file ").split()[0]
        for r in raw:
            candidate = r.path.parent / name
            if candidate.is_file():
                return Location(str(candidate), 1, 1)
        return None
    files = [(r, _compose(r.text)) for r in raw]
    if finding.service is None:
        key = TOP_KEYS_BY_CHECK.get(finding.check_id)
        for r, doc in reversed(files):
            hit = _key(doc, key) if doc is not None and key else None
            if hit is not None:
                return _located(r, hit[0])
        return _located(files[0][0], files[0][1]) if files and files[0][1] is not None else None
    named = re.search(r" in (\S+)$", finding.where)
    for r, doc in reversed(files):  # the later file wins, as Compose merges them
        if doc is None or (named and r.path.name != named.group(1)):
            continue
        services = _key(doc, "services")
        service = _key(services[1], finding.service) if services else None
        if service is not None:
            node = _in_service(service[1], finding)
            return _located(r, service[0] if node is service[1] else node)
    return None
