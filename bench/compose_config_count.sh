#!/usr/bin/env bash
# How many times does `python -m infra up --json` run `docker compose config`? (issue 8: goal once)
#   bash bench/compose_config_count.sh [extra `up` flags, e.g. --isolated]
# Puts a `docker` shim first on PATH that logs every invocation, runs `up --json` on a throwaway
# project, counts the `compose ... config` calls, then removes the stack with its volumes.
set -euo pipefail
cd "$(dirname "$0")/.."
shim=$(mktemp -d)
log="$shim/docker.log"
real=$(command -v docker)
printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$log" "$real" > "$shim/docker"
chmod +x "$shim/docker"
project="orderflow-test-count-$$"
trap '.venv/bin/python -m infra down --project "$project" --volumes >/dev/null 2>&1 || true; rm -rf "$shim"' EXIT
PATH="$shim:$PATH" .venv/bin/python -m infra up --project "$project" --json "$@" > /dev/null
echo "docker compose config calls: $(grep -c '^compose .* config' "$log")"
echo "docker invocations in all: $(wc -l < "$log")"
