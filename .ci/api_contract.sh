#!/usr/bin/env bash
# The API against its own OpenAPI document, with schemathesis: anonymous, with an office token and with an admin
# token, over every operation. Fails on any 5xx and on any answer that contradicts the document (status code,
# content type, headers, body schema). Time-bounded: each of the three runs stops after ST_MAX_TIME seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

ST_MAX_TIME="${ST_MAX_TIME:-30}"
WORK="$(mktemp -d /tmp/crisisdesk-contract-XXXXXX)"
PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:${PORT}"
export DATABASE_URL="sqlite:///${WORK}/contract.db"
export CRISISDESK_ENVIRONMENT=development CRISISDESK_RATE_LIMIT_ENABLED=false CRISISDESK_LOG_LEVEL=WARNING
export CRISISDESK_ARGON2_TIME_COST=1 CRISISDESK_ARGON2_MEMORY_COST=1024

.venv/bin/crisisdesk migrate >/dev/null
.venv/bin/crisisdesk demo >/dev/null
.venv/bin/crisisdesk serve --port "$PORT" >"${WORK}/server.log" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -fsS "${BASE}/healthz" >/dev/null 2>&1 && break; sleep 0.3; done

token() {
  curl -fsS -X POST "${BASE}/api/v1/auth/token" -d "username=$1&password=demo" \
    | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
OFFICE="$(token office)"
ADMIN="$(token admin)"

CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"
run() {
  echo "-- schemathesis: $1"
  shift
  # Log-out would end the token the run uses; the log-in form is fuzzed by the anonymous run.
  .venv/bin/st run "${BASE}/openapi.json" --checks "$CHECKS" --max-time "$ST_MAX_TIME" --workers 1 \
    --phases examples,coverage,fuzzing --request-timeout 20 --suppress-health-check all \
    --exclude-path /api/v1/auth/logout --warnings off "$@"
}
status=0
run anonymous || status=1
run "office token" -H "Authorization: Bearer ${OFFICE}" --exclude-path /api/v1/auth/token || status=1
run "admin token" -H "Authorization: Bearer ${ADMIN}" --exclude-path /api/v1/auth/token || status=1
if grep -q "Traceback" "${WORK}/server.log"; then
  echo "!! the server logged tracebacks:"; grep -B2 -A30 "Traceback" "${WORK}/server.log" | head -80; status=1
fi
exit $status
