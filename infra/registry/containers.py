"""Checks inside the running containers (testinfra's docker backend, /proc instead of ss/netstat/ps)."""

from infra.registry import Check

CHECKS = (
    Check(
        "containers.main-process",
        "containers",
        "the container's main process is the expected server",
        "A healthy container can still run the wrong thing (a debug `command:`, a wrapper that forked "
        "the server and stays PID 1, so SIGTERM never reaches it and every stop is a kill).",
    ),
    Check(
        "containers.non-root",
        "containers",
        "the main process runs as a non-root user, unless its image documents otherwise",
        "A server running as root turns any code-execution bug into root in the container, with every "
        "mounted volume writable.",
    ),
    Check(
        "containers.data-dir-owner",
        "containers",
        "every data directory exists and is owned by the main process's user",
        "A volume created or restored as another user makes the server fail at its first write, or "
        "refuse to start (PostgreSQL insists on owning PGDATA).",
    ),
    Check(
        "containers.listening",
        "containers",
        "each published container port is in LISTEN state on a reachable address (read from /proc/net)",
        "A published port whose server listens elsewhere, or on 127.0.0.1 inside the container, is "
        "open on the host but answers nothing; `docker ps` cannot tell.",
    ),
)
