#!/usr/bin/env bash
# Checks the OpenAPI document (src/main/resources/openapi.json, served at /api/openapi.json) against the server:
# Schemathesis (pinned in tools/install-test-deps.sh) runs against java -jar target/packbase.war on loopback and
# fails on any 5xx, any response that breaks the schema, any status code or content type the document does not list.
#
#   tools/schemathesis.sh                 (after ./mvnw package or verify)
#   SCHEMATHESIS_SECONDS=60 tools/schemathesis.sh
#
# Realistic data first: two local Git repositories with tags are fetched through file: URLs (the server allows
# the file scheme for this step only). Then the server restarts on the same root with https alone and a fetch
# allow-list naming a host that does not exist (upstream.invalid), so nothing Schemathesis sends can make packbase
# contact any upstream: every fetch, closure and bundle it asks for is refused before traffic.
set -euo pipefail
cd "$(dirname "$0")/.."
WAR=${PACKBASE_WAR:-target/packbase.war}
SCHEMATHESIS=${SCHEMATHESIS:-$HOME/.cache/packbase/venv-schemathesis/bin/schemathesis}
SECONDS_BUDGET=${SCHEMATHESIS_SECONDS:-120}
TOKEN=schemathesis-token
[ -f "$WAR" ] || { echo "schemathesis.sh: $WAR is missing; run ./mvnw package first" >&2; exit 2; }
[ -x "$SCHEMATHESIS" ] || { echo "schemathesis.sh: $SCHEMATHESIS is missing; run tools/install-test-deps.sh" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/packbase-schemathesis.XXXXXX")
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# repo <name> <tags...>: a bare repository under $WORK/upstream with one commit per tag.
repo() {
    local name=$1 src="$WORK/src/$1"
    shift
    git init -q "$src"
    for tag in "$@"; do
        printf '.{ .name = .%s, .version = "%s", .fingerprint = 0x%s, .paths = .{""} }\n' "$name" "${tag#v}" \
            "$(printf '%s' "$name" | gzip -c | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n')0a990001" >"$src/build.zig.zon"
        printf 'pub fn version() []const u8 { return "%s"; }\n' "$tag" >"$src/root.zig"
        git -C "$src" add -A
        GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
            git -C "$src" -c user.name=t -c user.email=t@example.invalid commit -q -m "release $tag"
        git -C "$src" tag "$tag"
    done
    git clone -q --bare "$src" "$WORK/upstream/$name.git"
}

# start <extra env...>: starts the WAR on a free loopback port; sets PID and BASE.
start() {
    : >"$WORK/server.log"
    env -u PACKBASE_STORAGE PACKBASE_ROOT="$WORK/root" PACKBASE_HOST=127.0.0.1 PACKBASE_PORT=0 PACKBASE_SEED=true \
        PACKBASE_TOKEN="$TOKEN" "$@" java -jar "$WAR" >"$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 600); do
        BASE=$(sed -n 's|^packbase listening on \(http://[^ ]*\)/$|\1|p' "$WORK/server.log" | head -n 1)
        [ -n "$BASE" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "schemathesis.sh: packbase did not start" >&2
    cat "$WORK/server.log" >&2
    exit 1
}

stop() {
    kill "$PID"
    wait "$PID" || true
    PID=""
}

repo alpha v1.0.0 v1.1.0
repo beta v0.1.0 v0.2.0 v0.3.0

start PACKBASE_FETCH_ALLOWED_SCHEMES=https,http,file
for name in alpha beta; do
    code=$(curl -sS -o "$WORK/fetch-$name.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
        -d "{\"url\":\"file://$WORK/upstream/$name.git\"}" "$BASE/api/fetch")
    [ "$code" = 200 ] || { echo "schemathesis.sh: fetch of $name answered $code: $(cat "$WORK/fetch-$name.json")" >&2; exit 1; }
done
stop

start PACKBASE_FETCH_ALLOWED_SCHEMES=https PACKBASE_FETCH_ALLOWED_HOSTS=upstream.invalid
echo "schemathesis.sh: packbase at $BASE with hello, alpha and beta; ${SECONDS_BUDGET}s of Schemathesis"
status=0
# From the temporary directory: Schemathesis keeps its cache (.schemathesis/) in the working directory.
(cd "$WORK" && timeout $((SECONDS_BUDGET + 120)) "$SCHEMATHESIS" run "$BASE/api/openapi.json" --url "$BASE" \
    -H "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing --max-time "$SECONDS_BUDGET" --seed 18 --request-timeout 30 \
    --suppress-health-check all) || status=$?
if [ "$status" != 0 ]; then
    echo "schemathesis.sh: FAILED (exit $status); server log tail:" >&2
    tail -n 40 "$WORK/server.log" >&2
fi
exit "$status"
