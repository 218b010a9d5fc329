"""Checks on the running stack: health, ports as bound by the engine, startup budget."""

from infra.registry import Check

CHECKS = (
    Check(
        "live.service-healthy",
        "containers",
        "every service reaches healthy",
        "A service whose health check never passes is not usable, whatever `docker ps` says.",
    ),
    Check(
        "live.ports-loopback-running",
        "containers",
        "published ports are bound to loopback as running",
        "The engine, not the file, decides what is reachable from the network; read it from the engine.",
    ),
    Check(
        "budget.startup",
        "budgets",
        "the stack is healthy within the seed's 2-minute budget",
        "The seed promises a full dev environment in under 2 minutes; a slow start is a product bug.",
    ),
)
