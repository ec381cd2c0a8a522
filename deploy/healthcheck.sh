#!/usr/bin/env bash
# Container health check: GET a clstream health endpoint on this host and succeed only on HTTP 200.
# Plain bash (/dev/tcp), so that it does not depend on curl or wget being in the runtime image.
#   healthcheck.sh [PATH]   PATH defaults to /health/ready; the port is $CLSTREAM_HTTP_PORT or 8080.
# Kubernetes does not need it (its httpGet probes call the endpoints directly); Docker's HEALTHCHECK
# uses it. PrometheusScrapeIT runs it against the live app.
# No variable of its own: every other CLSTREAM_* variable would be read by the app as a config key.
set -uo pipefail
path="${1:-/health/ready}"
port="${CLSTREAM_HTTP_PORT:-8080}"
host=127.0.0.1
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$host" >&3
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
  *) echo "clstream $path: ${status%$'\r'}" >&2; exit 1 ;;
esac
