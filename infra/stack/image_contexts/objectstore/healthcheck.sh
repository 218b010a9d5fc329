#!/bin/bash
# Health check for the stand-in: an unsigned request must get S3's 403 AccessDenied, which proves the
# server is up *and* enforcing credentials. Pure bash (/dev/tcp): no interpreter to start, so the probe
# stays fast on a loaded machine.
exec 3<>/dev/tcp/127.0.0.1/9000 || exit 1
printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
IFS= read -r -t 1 status <&3 || exit 1
body=$(timeout 1 cat <&3)
[[ $status == *" 403 "* && $body == *AccessDenied* ]]
