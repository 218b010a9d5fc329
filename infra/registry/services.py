"""Protocol checks against the running services: PostgreSQL, Redis, the S3 object store."""

from infra.registry import Check

CHECKS = (
    Check(
        "services.postgres-version",
        "services",
        "PostgreSQL's major version equals the stack contract (infra/service_probes.POSTGRES_MAJOR)",
        "The schema and the team's SQL are tested against one major version; a stack that silently "
        "runs another (a floating tag, a stand-in) invalidates that.",
    ),
    Check(
        "services.postgres-extensions",
        "services",
        "pg_trgm and vector are available, and installed or installable in POSTGRES_DB (versions reported)",
        "They come from the image: one without them passes every health check and fails at the first "
        "migration or similarity search.",
    ),
    Check(
        "services.postgres-smoke",
        "services",
        "similarity(), vector distances, an HNSW index build and a KNN query using it all work",
        "An installed extension can still be unusable (a library that fails to load, an index method "
        "missing); these are the queries the application runs.",
    ),
    Check(
        "services.redis-auth-required",
        "services",
        "an unauthenticated Redis command is refused with NOAUTH",
        "An open Redis is readable and writable by anything that reaches the port, and `CONFIG SET dir` "
        "turns that into a file write.",
    ),
    Check(
        "services.redis-ping",
        "services",
        "an authenticated PING answers PONG",
        "The password the application is given must be the one the server requires.",
    ),
    Check(
        "services.redis-persistence",
        "services",
        "appendonly, appendfsync, save and dir as running (CONFIG GET) equal the compose command's",
        "The compose file is what the team reviews; a server running other settings loses data everyone "
        "believes is persisted.",
    ),
    Check(
        "services.objectstore-roundtrip",
        "services",
        "bucket create, put, get, presigned GET over HTTP, delete: a full round trip",
        "A health check proves the server answers, not that it stores: a read-only volume or a proxy "
        "breaking presigned URLs passes it.",
    ),
    Check(
        "services.objectstore-auth",
        "services",
        "anonymous requests, an unknown access key and a wrong secret key are refused",
        "An object store that accepts any caller hands every object to whoever reaches the port.",
    ),
    Check(
        "services.minio-health",
        "services",
        "MinIO's /minio/health/live and /minio/health/ready answer 200 (MinIO only)",
        "Orchestrators and load balancers route on these; a MinIO that is up but not ready answers 503.",
    ),
)
