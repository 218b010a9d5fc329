"""Static rules for a Compose file: each a plain function over the raw files and the normalized model.

`read_raw` reads each file's YAML as written (to see `${VAR:-default}` and literals); the model is
the configuration `docker compose config` resolves (infra.compose.lint prepares both, judging the
file as Compose would run it). Rules are pure: `(raw files, model) -> findings`.
"""

from __future__ import annotations

from pathlib import Path

from infra.compose.model import ComposeFiles, ComposeModel
from infra.compose.rules.common import RawFile
from infra.compose.rules.envfiles import rule_no_committed_secrets
from infra.compose.rules.exposure import (
    rule_no_docker_sock,
    rule_no_host_namespaces,
    rule_no_privileged,
    rule_ports_from_env,
    rule_ports_loopback,
)
from infra.compose.rules.hardening import (
    rule_log_rotation,
    rule_memory_limit,
    rule_no_container_name,
    rule_privileges_dropped,
)
from infra.compose.rules.health import (
    rule_healthcheck_no_early_pass,
    rule_healthcheck_present,
    rule_healthcheck_wellformed,
)
from infra.compose.rules.layout import (
    rule_graceful_stop,
    rule_name_set,
    rule_named_volumes,
    rule_no_version_key,
)
from infra.compose.rules.pinning import rule_image_pinned
from infra.compose.rules.postgres import rule_no_trust_auth, rule_postgres_shm
from infra.compose.rules.readiness import (
    rule_depends_on_healthy,
    rule_health_budget,
    rule_probe_not_port_only,
)
from infra.compose.rules.secrets import rule_no_default_secrets, rule_secrets_required
from infra.compose.rules.suppression import rule_suppression_reason
from infra.compose.source import read_compose_yaml
from infra.findings import Checked, Finding

__all__ = ["RULES", "read_raw"]

RULES: tuple[Checked[[list[RawFile], ComposeModel], list[Finding]], ...] = (
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
    rule_no_host_namespaces,
    rule_graceful_stop,
    rule_health_budget,
    rule_probe_not_port_only,
    rule_depends_on_healthy,
    rule_memory_limit,
    rule_privileges_dropped,
    rule_log_rotation,
    rule_no_container_name,
    rule_postgres_shm,
    rule_no_trust_auth,
    rule_no_committed_secrets,
    rule_suppression_reason,
)


def read_raw(files: ComposeFiles) -> list[RawFile]:
    """Each compose file as written; errors name the file (and line) in one line."""
    return [RawFile(Path(path), *read_compose_yaml(Path(path))) for path in files.files]
