#!/bin/bash
# MinIO's own readiness endpoint (GET /minio/health/ready -> 200), in pure bash over /dev/tcp: no
# curl or mc in the image, and no interpreter to start, so the probe stays cheap on a loaded machine.
# `live` instead of `ready` with the first argument (`minio-healthcheck live`).
path=/minio/health/${1:-ready}
exec 3<>/dev/tcp/127.0.0.1/9000 || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
IFS= read -r status <&3 || exit 1
[[ $status == "HTTP/1."?" 200 "* ]]
