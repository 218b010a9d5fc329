"""Negative cases for the object store checks: wrong credentials, nothing listening, a server that
lets everyone in, a server that says it is not ready, and the stand-in's own gap."""

import pytest

from infra.probes.objectstore import (
    S3Endpoint,
    auth_findings,
    is_minio,
    minio_health_findings,
    roundtrip_findings,
    server_kind,
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


@pytest.mark.infra
@pytest.mark.negative(auth_findings.check)
def test_standin_accepting_a_wrong_secret_fails(live_stack):
    """The offline stand-in (s3rver) does not verify signatures: the probe must say so."""
    endpoint = S3Endpoint(*live_stack.endpoints.s3())
    if is_minio(server_kind(endpoint.address)):
        pytest.skip("the stack runs MinIO, which refuses wrong secrets; the open-server case covers this")
    findings = wrong_secret_findings(endpoint, "service minio")
    assert [f.found for f in findings] == ["accepted"]


@pytest.mark.negative(minio_health_findings.check)
def test_not_ready_server_fails(open_http):
    findings = minio_health_findings(open_http(503), "service minio")
    assert [f.found for f in findings] == ["HTTP 503", "HTTP 503"]


@pytest.mark.negative(minio_health_findings.check)
def test_nothing_listening_fails_the_health_check():
    findings = minio_health_findings(f"127.0.0.1:{free_port()}", "service minio")
    assert len(findings) == 2 and all(f.found.startswith("no answer (") for f in findings)
