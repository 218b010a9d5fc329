"""Negative cases for the object store checks: wrong credentials, nothing listening, a server that
lets everyone in (or checks the key id but not the signature), a server that says it is not ready."""

import pytest

from infra.probes.objectstore import (
    S3Endpoint,
    auth_findings,
    minio_health_findings,
    roundtrip_findings,
    wrong_secret_findings,
)
from infra.stack.isolation import free_port

pytestmark = [pytest.mark.services]


@pytest.mark.infra
@pytest.mark.negative(roundtrip_findings.check)
def test_unknown_access_key_fails_the_round_trip(live_stack):
    address, _, secret = live_stack.endpoints.s3()
    findings = roundtrip_findings(S3Endpoint(address, "not-the-access-key", secret), "service minio")
    assert len(findings) == 1
    assert findings[0].expected.startswith("step 'create bucket' succeeds")
    assert "InvalidAccessKeyId" in findings[0].found


@pytest.mark.negative(roundtrip_findings.check)
def test_nothing_listening_fails_the_round_trip():
    findings = roundtrip_findings(S3Endpoint(f"127.0.0.1:{free_port()}", "k", "s"), "service minio")
    assert len(findings) == 1 and "step 'create bucket'" in findings[0].expected
    assert "Connection refused" in findings[0].found or "MaxRetryError" in findings[0].found


@pytest.mark.negative(auth_findings.check)
def test_server_that_lets_everyone_in_fails(open_http):
    findings = auth_findings(S3Endpoint(open_http(200), "key", "secret"), "service minio")
    assert [f.found for f in findings] == ["HTTP 200", "accepted"]


@pytest.mark.negative(auth_findings.check)
def test_server_that_ignores_signatures_fails(open_http):
    """A server that answers any signed request (as s3rver did) accepts a wrong secret: a finding."""
    findings = wrong_secret_findings(S3Endpoint(open_http(200), "key", "secret"), "service minio")
    assert [f.found for f in findings] == ["accepted"]


@pytest.mark.negative(minio_health_findings.check)
def test_not_ready_server_fails(open_http):
    findings = minio_health_findings(open_http(503), "service minio")
    assert [f.found for f in findings] == ["HTTP 503", "HTTP 503"]


@pytest.mark.negative(minio_health_findings.check)
def test_nothing_listening_fails_the_health_check():
    findings = minio_health_findings(f"127.0.0.1:{free_port()}", "service minio")
    assert len(findings) == 2 and all(f.found.startswith("no answer (") for f in findings)
