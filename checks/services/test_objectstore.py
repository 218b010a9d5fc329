"""The S3 object store: a full round trip, credentials enforced, MinIO's health endpoints."""

import pytest

pytest.importorskip("minio", reason="the object store checks need the [live] extra (minio)")

from infra.findings import render_all
from infra.probes.objectstore import (
    S3Endpoint,
    auth_findings,
    minio_health_findings,
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
def test_wrong_secret_refused(s3):
    """MinIO verifies SigV4 signatures: the right access key with a wrong secret is refused."""
    endpoint, _, where = s3
    findings = wrong_secret_findings(endpoint, where)
    assert not findings, render_all(findings)


@pytest.mark.check(minio_health_findings.check)
def test_minio_health_endpoints(s3):
    endpoint, _, where = s3
    findings = minio_health_findings(endpoint.address, where)
    assert not findings, render_all(findings)
