"""The S3 object store: a full round trip, credentials enforced, MinIO's health endpoints (MinIO only)."""

import pytest

pytest.importorskip("minio", reason="the object store checks need the [live] extra (minio)")

from infra.findings import render_all
from infra.probes.objectstore import (
    STANDIN_GAPS,
    S3Endpoint,
    auth_findings,
    is_minio,
    minio_health_findings,
    not_minio_reason,
    roundtrip_findings,
    server_kind,
    wrong_secret_findings,
)

pytestmark = [pytest.mark.infra, pytest.mark.services]


@pytest.fixture
def s3(live_stack):
    endpoint = S3Endpoint(*live_stack.endpoints.s3())
    server = server_kind(endpoint.address)
    profile = live_stack.stack.profile
    where = f"service minio ({endpoint.address}, Server {server or 'not named'}, profile {profile})"
    return endpoint, server, where


@pytest.mark.check(roundtrip_findings.check)
def test_roundtrip(s3):
    endpoint, _, where = s3
    findings = roundtrip_findings(endpoint, where)
    assert not findings, render_all(findings)


@pytest.mark.check(auth_findings.check)
def test_anonymous_and_unknown_key_refused(s3):
    endpoint, _, where = s3
    findings = auth_findings(endpoint, where)
    assert not findings, render_all(findings)


@pytest.mark.check(auth_findings.check)
def test_wrong_secret_refused(s3, request):
    """MinIO verifies SigV4 signatures; the offline stand-in does not, which is a known, strict xfail:
    it turns into a failure the day the stand-in starts refusing (then drop the xfail)."""
    endpoint, server, where = s3
    if not is_minio(server):
        reason = f"not MinIO ({where}): {STANDIN_GAPS['wrong-secret']}"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    findings = wrong_secret_findings(endpoint, where)
    assert not findings, render_all(findings)


@pytest.mark.check(minio_health_findings.check)
def test_minio_health_endpoints(s3, live_stack):
    endpoint, server, where = s3
    if not is_minio(server):
        pytest.skip(not_minio_reason(endpoint.address, server, live_stack.stack.profile))
    findings = minio_health_findings(endpoint.address, where)
    assert not findings, render_all(findings)
