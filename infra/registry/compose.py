"""Static checks of the Compose file (need the Compose CLI, not an engine)."""

from infra.registry import Check

CHECKS = (
    Check(
        "compose.name-set",
        "compose",
        "the file sets a project `name:`",
        "Without it the project name, and so volume and network names, depend on the folder's name.",
    ),
    Check(
        "compose.no-version-key",
        "compose",
        "no obsolete `version:` key",
        "Compose v2 ignores it with a warning; its presence marks a file written for Compose v1.",
    ),
    Check(
        "compose.image-pinned",
        "compose",
        "every image is pinned (a full x.y.z tag, a RELEASE.<date> tag, or a digest)",
        "A floating tag changes under you: CI and developers end up running different servers.",
    ),
    Check(
        "compose.healthcheck-present",
        "compose",
        "every service has an enabled health check",
        "Without one, started cannot be told from ready: `up --wait` and depends_on are blind.",
    ),
    Check(
        "compose.healthcheck-wellformed",
        "compose",
        "health checks use CMD/CMD-SHELL, timeout < interval, an explicit start_period, retries >= 1",
        "Overlapping probes and a missing start_period mark a slow first start unhealthy.",
    ),
    Check(
        "compose.healthcheck-no-early-pass",
        "compose",
        "health checks cannot pass before the service is ready",
        "pg_isready on the socket passes during initdb; redis-cli exits 0 on NOAUTH and LOADING.",
    ),
    Check(
        "compose.ports-loopback",
        "compose",
        "published ports bind 127.0.0.1 (or ::1)",
        "Without a host IP Docker publishes on every interface: a dev database open to the network.",
    ),
    Check(
        "compose.ports-from-env",
        "compose",
        "host ports come from environment variables",
        "Fixed host ports collide with other stacks; test stacks need their own free ports.",
    ),
    Check(
        "compose.no-default-secrets",
        "compose",
        "no default or literal credential in the file (environment, command line, health check)",
        "A default password lives in every clone and every stack started from it.",
    ),
    Check(
        "compose.secrets-required",
        "compose",
        "credentials use the required form ${VAR:?message}",
        "`${VAR}` silently becomes empty when unset: a passwordless database.",
    ),
    Check(
        "compose.named-volumes",
        "compose",
        "data paths are on named volumes declared at top level",
        "Bind mounts and anonymous volumes scatter or lose data across `down`/`up`.",
    ),
    Check(
        "compose.no-privileged",
        "compose",
        "no privileged containers",
        "A privileged container is root on the host.",
    ),
    Check(
        "compose.no-docker-sock",
        "compose",
        "the Docker socket is not mounted",
        "The socket gives the container full control of the host's engine.",
    ),
    Check(
        "compose.no-host-namespaces",
        "compose",
        "no `network_mode: host` (nor host pid/ipc/uts/userns)",
        "On the host network a service listens on every host interface and port publishing, so the "
        "loopback rule, no longer applies; host pid/ipc expose the host's processes.",
    ),
    Check(
        "compose.graceful-stop",
        "compose",
        "stop_grace_period set; PostgreSQL stops with SIGINT, others with SIGTERM",
        "A service killed after the default 10 s loses unsynced writes; PostgreSQL then runs crash recovery.",
    ),
)
