"""Rule: every image is pinned to one exact build."""

from __future__ import annotations

from infra.compose.imageref import floating_reason, parse_image_ref
from infra.compose.model import ComposeModel
from infra.compose.rules.common import RawFile, finding, written_value
from infra.findings import Check, Finding, produces


@produces("compose.image-pinned")
def rule_image_pinned(check: Check, raw: list[RawFile], model: ComposeModel) -> list[Finding]:
    """Every image is pinned (a tag whose first version is x.y.z, a RELEASE.<date> tag, or a digest).

    Why: A floating tag changes under you: two developers, or CI and production, run different servers,
    and a re-pull upgrades a database nobody meant to upgrade. Build-only services are skipped.
    """
    findings = []
    for service in model.services.values():
        where = f"service {service.name}"
        if not service.image:  # built here: its Dockerfile's FROM is outside a compose audit
            continue
        try:
            reason = floating_reason(parse_image_ref(service.image))
        except ValueError as exc:
            findings.append(finding(check.id, where, "a valid image reference", str(exc)))
            continue
        if reason:
            findings.append(
                finding(
                    check.id,
                    where,
                    "a pinned tag (a full x.y.z version, a RELEASE.<date> tag) or a digest",
                    f"image {service.image!r}{_as_written(raw, service.name, service.image)}: {reason}",
                    "pin the exact version, e.g. redis:7.4.1-bookworm or pgvector/pgvector:0.8.0-pg16",
                )
            )
    return findings


def _as_written(raw: list[RawFile], service: str, resolved: str) -> str:
    """ " (written ...)" when the file's text differs from the value Compose resolved."""
    text = written_value(raw, service, "image")
    return f" (written {text})" if isinstance(text, str) and text != resolved else ""
