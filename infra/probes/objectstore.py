"""Protocol probes of the S3 object store (MinIO on both profiles: docs/engines.md).

The round trip and the credential checks use the `minio` Python client, as the application would;
presigned URLs and health endpoints are fetched over plain HTTP with urllib, as a browser or a
load balancer would. Which server answers is read from its `Server` header, not assumed.
"""

from __future__ import annotations

import io
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import urllib3
from minio import Minio
from minio.error import S3Error

from infra.errors import describe
from infra.findings import Check, Finding, produces

HEALTH_PATHS = ("/minio/health/live", "/minio/health/ready")
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class S3Endpoint:
    address: str  # host:port on 127.0.0.1
    access_key: str
    secret_key: str

    def client(self, access_key: str | None = None, secret_key: str | None = None) -> Minio:
        """A client that fails fast: one attempt, short timeouts (a refusal must not be retried away)."""
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=TIMEOUT_S), retries=urllib3.Retry(total=0)
        )
        return Minio(
            self.address,
            access_key=self.access_key if access_key is None else access_key,
            secret_key=self.secret_key if secret_key is None else secret_key,
            secure=False,
            region="us-east-1",  # no GetBucketLocation round trip before each request
            http_client=http,
        )


def _error(exc: BaseException) -> str:
    """An S3 error by its code (its str() is a multi-line dump); anything else as errors.describe does."""
    return f"S3Error {exc.code}: {exc.message}" if isinstance(exc, S3Error) else describe(exc, 300)


@dataclass(frozen=True)
class HttpAnswer:
    status: int | None  # None: no HTTP answer at all
    server: str | None
    body: bytes = b""
    error: str | None = None


def http_get(url: str) -> HttpAnswer:
    """GET over plain HTTP; HTTP errors are answers too (their status and headers matter here)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 - http URL built here
            return HttpAnswer(response.status, response.headers.get("Server"), response.read())
    except urllib.error.HTTPError as exc:
        return HttpAnswer(exc.code, exc.headers.get("Server"), exc.read())
    except (urllib.error.URLError, OSError) as exc:
        return HttpAnswer(None, None, error=_error(exc))


def server_kind(address: str) -> str | None:
    """The `Server` header of an unsigned request to the endpoint ("MinIO" for MinIO), or None."""
    return http_get(f"http://{address}/").server


# --- round trip -------------------------------------------------------------------------------


@produces("services.objectstore-roundtrip")
def roundtrip_findings(check: Check, endpoint: S3Endpoint, where: str) -> list[Finding]:
    """Bucket create, put, get, presigned GET over plain HTTP, delete — each step checked.

    Why: health checks prove the server answers, not that it stores: a full or read-only volume,
    wrong credentials, or a proxy that breaks presigned URLs all pass a health check. The first
    failing step is reported; whatever was created is removed in any case.
    """
    s3 = endpoint.client()
    bucket = f"orderflow-check-{secrets.token_hex(4)}"
    key, payload = "roundtrip/object.bin", secrets.token_bytes(2048)

    def get_back() -> bytes:
        response = s3.get_object(bucket, key)
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    def presigned() -> bytes:
        url = s3.presigned_get_object(bucket, key, expires=timedelta(minutes=5))
        answer = http_get(url)
        if answer.status != 200:
            raise RuntimeError(f"HTTP {answer.status or answer.error}: {answer.body[:200]!r}")
        return answer.body

    def put() -> None:
        s3.put_object(bucket, key, io.BytesIO(payload), len(payload))

    def object_gone() -> bool:
        try:
            s3.stat_object(bucket, key)
        except S3Error as exc:
            return exc.code in ("NoSuchKey", "NoSuchObject")
        return False

    steps: list[tuple[str, Callable[[], object], object]] = [
        ("create bucket", lambda: s3.make_bucket(bucket), None),
        ("bucket exists", lambda: s3.bucket_exists(bucket), True),
        ("put a 2 KiB object", put, None),
        ("get it back, byte for byte", get_back, payload),
        ("presigned GET over plain HTTP, byte for byte", presigned, payload),
        ("delete the object", lambda: s3.remove_object(bucket, key), None),
        ("the object is gone", object_gone, True),
        ("delete the bucket", lambda: s3.remove_bucket(bucket), None),
        ("the bucket is gone", lambda: s3.bucket_exists(bucket), False),
    ]
    try:
        for step, action, expected in steps:
            try:
                result = action()
            except Exception as exc:  # any failure of a step is the finding; the server's words
                got = _error(exc)
            else:
                if result == expected:
                    continue
                got = f"{len(result)} different bytes" if isinstance(result, bytes) else repr(result)
            return [
                Finding(
                    check.id,
                    where,
                    f"step {step!r} succeeds ({len(steps)} steps: create, put, get, presigned GET, delete)",
                    got,
                    "read the object store's logs; check credentials and that its data volume is writable",
                )
            ]
        return []
    finally:
        _cleanup(s3, bucket, key)


def _cleanup(s3: Minio, bucket: str, key: str) -> None:
    try:
        if s3.bucket_exists(bucket):
            s3.remove_object(bucket, key)
            s3.remove_bucket(bucket)
    except Exception:  # noqa: S110 - best effort: the round trip's own finding already says what broke
        pass


# --- credentials ------------------------------------------------------------------------------


def _refused(attempt: Callable[[], object]) -> tuple[bool, str]:
    try:
        attempt()
    except S3Error as exc:
        return exc.code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"), _error(exc)
    except Exception as exc:  # no answer at all is not a refusal
        return False, _error(exc)
    return False, "accepted"


@produces("services.objectstore-auth")
def auth_findings(check: Check, endpoint: S3Endpoint, where: str) -> list[Finding]:
    """An anonymous request and a request signed with an unknown access key are both refused.

    Why: an object store that serves anonymous requests or accepts any key hands every object —
    uploads, exports, backups — to whoever reaches the port.
    """
    findings = []
    anonymous = http_get(f"http://{endpoint.address}/")
    if anonymous.status != 403:
        found = f"HTTP {anonymous.status}" if anonymous.status else f"no answer ({anonymous.error})"
        findings.append(Finding(check.id, where, "an anonymous ListBuckets refused with 403", found))
    wrong_key = f"wrong-{secrets.token_hex(4)}"
    refused, found = _refused(lambda: endpoint.client(access_key=wrong_key).list_buckets())
    if not refused:
        findings.append(
            Finding(
                check.id,
                where,
                "a request signed with an unknown access key refused (InvalidAccessKeyId)",
                found,
                "the server must require MINIO_ROOT_USER's key",
            )
        )
    return findings


def wrong_secret_findings(endpoint: S3Endpoint, where: str) -> list[Finding]:
    """A request with the right access key and a wrong secret key is refused (SignatureDoesNotMatch).

    Why: a server that checks the key id but not the signature accepts anyone who has seen the
    access key in a log, a URL or a config file; the secret is what protects the data.
    """
    refused, found = _refused(lambda: endpoint.client(secret_key=secrets.token_hex(16)).list_buckets())
    if refused:
        return []
    return [
        Finding(
            auth_findings.id,
            where,
            "a request signed with the right access key but a wrong secret refused (SignatureDoesNotMatch)",
            found,
            "the server must verify request signatures",
        )
    ]


@produces("services.minio-health")
def minio_health_findings(check: Check, address: str, where: str) -> list[Finding]:
    """MinIO's liveness and readiness endpoints answer 200.

    Why: orchestrators and load balancers use these (not an S3 call) to route traffic; a MinIO that
    is up but not ready (drives offline, still healing) answers 503 there and must not be used.
    """
    findings = []
    for path in HEALTH_PATHS:
        answer = http_get(f"http://{address}{path}")
        if answer.status != 200:
            found = f"HTTP {answer.status}" if answer.status else f"no answer ({answer.error})"
            findings.append(Finding(check.id, where, f"GET {path} answers 200", found, "read MinIO's logs"))
    return findings
