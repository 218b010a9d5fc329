"""Static rules for a Compose file: each a plain function over the raw files and the normalized model.

`audit_compose` reads the files (raw YAML, and `docker compose config` for the model; no engine
needed) and runs every rule.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import yaml

from infra.compose_model import ComposeFiles, load_model
from infra.compose_rules.common import RawFile, Rule
from infra.compose_rules.exposure import (
    rule_no_docker_sock,
    rule_no_privileged,
    rule_ports_from_env,
    rule_ports_loopback,
)
from infra.compose_rules.health import (
    rule_healthcheck_no_early_pass,
    rule_healthcheck_present,
    rule_healthcheck_wellformed,
)
from infra.compose_rules.images import rule_image_pinned
from infra.compose_rules.layout import (
    rule_graceful_stop,
    rule_name_set,
    rule_named_volumes,
    rule_no_version_key,
)
from infra.compose_rules.secrets import rule_no_default_secrets, rule_secrets_required
from infra.errors import HarnessError
from infra.findings import Finding

RULES: tuple[Rule, ...] = (
    rule_name_set,
    rule_no_version_key,
    rule_image_pinned,
    rule_healthcheck_present,
    rule_healthcheck_wellformed,
    rule_healthcheck_no_early_pass,
    rule_ports_loopback,
    rule_ports_from_env,
    rule_no_default_secrets,
    rule_secrets_required,
    rule_named_volumes,
    rule_no_privileged,
    rule_no_docker_sock,
    rule_graceful_stop,
)


def read_raw(files: ComposeFiles) -> list[RawFile]:
    raw = []
    for path in files.files:
        text = path.read_text(encoding="utf-8")
        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            raise HarnessError(
                f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})",
                "fix the file, then run `docker compose config`",
            ) from None
        if not isinstance(doc, dict):
            raise HarnessError(f"{path}: a compose file is a mapping, found {type(doc).__name__}")
        raw.append(RawFile(path, text, doc))
    return raw


def audit_compose(files: ComposeFiles, env: Mapping[str, str] | None = None) -> list[Finding]:
    """Every rule over `files`; `env` resolves the variables (the values are never reported)."""
    raw = read_raw(files)
    model = load_model(files, env={**os.environ, **env} if env is not None else None)
    return [finding for rule in RULES for finding in rule(raw, model)]
