#!/usr/bin/env bash
# The original README's smoke test, seven steps (make test-smoke):
#   1 build     the image (container mode) or the WAR (loopback mode)
#   2 start     packbase with a test token
#   3 dumb      git clone of the seed package hello over dumb HTTP (GIT_SMART_HTTP=0)
#   4 fetch     POST /api/fetch with the token mirrors "serde" from an upstream Git server: in place of GitHub, a
#               local bare repository served over HTTP on loopback by git http-backend behind nginx + fcgiwrap
#   5 zig fetch zig fetch --save git+http://…/hello (test/remote.sh check 4, through an nginx proxy in front of packbase)
#   6 logs      the proxy's log shows the git-upload-pack POST of step 5, with its Transfer-Encoding (chunked)
#   7 zig build the consumer project against the fetched dependency (test/remote.sh check 4)
# SMOKE_MODE=auto (container when `docker info` or `podman info` works, else loopback), container or loopback.
# Needs git, curl, jq, nginx, fcgiwrap, java and a zig (ZIG, else the newest under ~/.cache/packbase/zig).
set -uo pipefail
cd "$(dirname "$0")/.."
MODE=${SMOKE_MODE:-auto}
ENGINE=""
for e in docker podman; do
    if command -v "$e" >/dev/null 2>&1 && "$e" info >/dev/null 2>&1; then ENGINE=$e; break; fi
done
if [ "$MODE" = auto ]; then MODE=${ENGINE:+container}; MODE=${MODE:-loopback}; fi
if [ "$MODE" = container ] && [ -z "$ENGINE" ]; then echo "smoke: no working Docker or Podman engine" >&2; exit 2; fi
echo "smoke: mode $MODE${ENGINE:+ (engine $ENGINE)}"

ZIG=${ZIG:-$(ls -d "$HOME"/.cache/packbase/zig/0.15.*/ziglang/zig 2>/dev/null | tail -n 1)}
TOKEN=smoke-token
W=$(mktemp -d "${TMPDIR:-/tmp}/packbase-smoke.XXXXXX")
chmod 755 "$W"
PIDS=()
CONTAINER=""
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    [ -n "$CONTAINER" ] && "$ENGINE" rm -f "$CONTAINER" >/dev/null 2>&1
    [ -f "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
FAILED=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; FAILED=$((FAILED + 1)); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- 1. build
if [ "$MODE" = container ]; then
    "$ENGINE" build -q -f docker/Dockerfile -t packbase:smoke . >"$W/build.log" 2>&1 && pass "1 build: image packbase:smoke" \
        || { fail "1 build: $ENGINE build failed"; tail -n 20 "$W/build.log"; exit 1; }
else
    ./mvnw -B -q -o package -DskipTests >"$W/build.log" 2>&1 || ./mvnw -B -q package -DskipTests >"$W/build.log" 2>&1 \
        && pass "1 build: target/packbase.war" || { fail "1 build: ./mvnw package failed"; tail -n 20 "$W/build.log"; exit 1; }
fi

# The upstream: a Zig package "serde" in a bare repository, served by git http-backend behind nginx + fcgiwrap;
# the same nginx proxies a second port to packbase and logs each request's Transfer-Encoding.
mkdir -p "$W/upstream" "$W/src" "$W/nginx"
git init -q "$W/src/serde"
printf '.{\n    .name = .serde,\n    .version = "1.0.0",\n    .fingerprint = 0x%s0a990001,\n    .paths = .{""},\n}\n' \
    "$(python3 -c 'import zlib; print("%08x" % zlib.crc32(b"serde"))')" >"$W/src/serde/build.zig.zon"
printf 'const std = @import("std");\npub fn build(b: *std.Build) void {\n    _ = b.addModule("serde", .{ .root_source_file = b.path("serde.zig") });\n}\n' >"$W/src/serde/build.zig"
printf 'pub fn answer() u32 {\n    return 42;\n}\n' >"$W/src/serde/serde.zig"
git -C "$W/src/serde" add -A
git -C "$W/src/serde" -c user.name=smoke -c user.email=smoke@example.invalid commit -q -m "serde 1.0.0"
git -C "$W/src/serde" tag v1.0.0
git clone -q --bare "$W/src/serde" "$W/upstream/serde.git"
UP_PORT=$(free_port)
PB_PORT=$(free_port)
PROXY_PORT=$(free_port)
fcgiwrap -s "unix:$W/fcgiwrap.sock" & PIDS+=($!)
for _ in $(seq 50); do [ -S "$W/fcgiwrap.sock" ] && break; sleep 0.1; done
cat >"$W/nginx/nginx.conf" <<CONF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
daemon on;
pid $W/nginx.pid;
error_log $W/nginx/error.log;
events {}
http {
    client_body_temp_path $W/nginx/body; proxy_temp_path $W/nginx/proxy; fastcgi_temp_path $W/nginx/fastcgi;
    uwsgi_temp_path $W/nginx/uwsgi; scgi_temp_path $W/nginx/scgi;
    log_format smoke '\$request_method \$request_uri \$status te=\$http_transfer_encoding';
    server {
        listen 127.0.0.1:$UP_PORT;
        access_log off;
        location / {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$W/fcgiwrap.sock;
            fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
            fastcgi_param GIT_PROJECT_ROOT $W/upstream;
            fastcgi_param GIT_HTTP_EXPORT_ALL "";
            fastcgi_param PATH_INFO \$uri;
            fastcgi_param GIT_PROTOCOL \$http_git_protocol;
        }
    }
    server {
        listen 127.0.0.1:$PROXY_PORT;
        access_log $W/nginx/proxy.log smoke;
        client_max_body_size 64m;
        location / {
            proxy_pass http://127.0.0.1:$PB_PORT;
            proxy_http_version 1.1;
            proxy_request_buffering off;
            proxy_set_header Host \$http_host;
        }
    }
}
CONF
nginx -c "$W/nginx/nginx.conf" -e "$W/nginx/error.log" || { echo "smoke: nginx failed"; cat "$W/nginx/error.log"; exit 1; }

# --- 2. start
BASE="http://127.0.0.1:$PB_PORT"
if [ "$MODE" = container ]; then
    CONTAINER=$("$ENGINE" run -d --network host -e PACKBASE_PORT="$PB_PORT" -e PACKBASE_HOST=127.0.0.1 \
        -e PACKBASE_TOKEN="$TOKEN" -e PACKBASE_RELEASE=smoke -e PACKBASE_SEED=true packbase:smoke)
    LOGS() { "$ENGINE" logs "$CONTAINER" 2>&1; }
else
    mkdir -p "$W/root"
    env PACKBASE_ROOT="$W/root" PACKBASE_PORT="$PB_PORT" PACKBASE_HOST=127.0.0.1 PACKBASE_TOKEN="$TOKEN" \
        PACKBASE_RELEASE=smoke PACKBASE_SEED=true java -jar target/packbase.war >"$W/server.log" 2>&1 & PIDS+=($!)
    LOGS() { cat "$W/server.log"; }
fi
for _ in $(seq 600); do curl -sf "$BASE/api/status" >/dev/null 2>&1 && break; sleep 0.2; done
if curl -sf "$BASE/api/status" | jq -e '.service == "packbase"' >/dev/null; then
    pass "2 start: packbase answers at $BASE with a test token"
else
    fail "2 start: packbase did not answer"; LOGS | tail -n 30; exit 1
fi

# --- 3. dumb HTTP clone
if GIT_SMART_HTTP=0 GIT_TERMINAL_PROMPT=0 git clone -q "$BASE/hello" "$W/hello-dumb" >"$W/dumb.log" 2>&1 \
        && [ -f "$W/hello-dumb/build.zig.zon" ]; then
    pass "3 dumb: GIT_SMART_HTTP=0 git clone $BASE/hello checked out build.zig.zon"
else
    fail "3 dumb: dumb-HTTP git clone failed"; tail -n 10 "$W/dumb.log"
fi

# --- 4. fetch
code=$(curl -sS -o "$W/fetch.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -d "{\"url\":\"git+http://127.0.0.1:$UP_PORT/serde.git\"}" "$BASE/api/fetch")
if [ "$code" = 200 ] && jq -e '.package == "serde" and .tag == "v1.0.0"' "$W/fetch.json" >/dev/null; then
    pass "4 fetch: POST /api/fetch mirrored serde v1.0.0 from the HTTP upstream on loopback"
else
    fail "4 fetch: POST /api/fetch answered $code: $(cat "$W/fetch.json")"
fi
code=$(curl -sS -o /dev/null -w '%{http_code}' -d "{\"url\":\"git+http://127.0.0.1:$UP_PORT/serde.git\"}" "$BASE/api/fetch")
[ "$code" = 401 ] || fail "4 fetch: without the token POST /api/fetch answered $code, expected 401"

# --- 5 and 7: test/remote.sh check 4 (zig fetch --save git+http://…/hello, then zig build), through the proxy
PACKBASE_REMOTE_SCHEME=http PACKBASE_REMOTE_WORK="$W/remote" ZIG="$ZIG" \
    bash test/remote.sh "127.0.0.1:$PROXY_PORT" hello smoke >"$W/remote.out" 2>&1
grep -E '^(PASS|FAIL) ' "$W/remote.out" | sed 's/^/  remote.sh: /'
if grep -q '^PASS 4 build' "$W/remote.out"; then
    pass "5 zig fetch: zig fetch --save git+http://127.0.0.1:$PROXY_PORT/hello pinned a commit and the hash /api/info gives"
    pass "7 zig build: the consumer project built against the fetched dependency"
else
    fail "5 zig fetch / 7 zig build: test/remote.sh check 4 failed"; grep -A5 '^FAIL 4' "$W/remote.out"
fi

# --- 6. logs: the upload-pack POST of step 5 as the proxy saw it
line=$(grep -E '^POST /hello(\.git)?/git-upload-pack 200 ' "$W/nginx/proxy.log" | head -n 1)
if [ -n "$line" ]; then
    pass "6 logs: $line (te=chunked means a chunked request body)"
else
    fail "6 logs: no git-upload-pack POST answered 200 in the proxy log"; tail -n 10 "$W/nginx/proxy.log"
fi

echo "smoke: mode $MODE, $((7 - FAILED)) of 7 steps passed"
[ "$FAILED" -eq 0 ]
