#!/usr/bin/env bash
# Object-storage benchmark: tarball GETs through packbase on an S3 bucket, against packbase on a root
# directory holding the same objects and against the S3 engine itself (presigned GETs of the same
# objects), on one machine, in one run; then a fresh node's startup on a bucket of BENCH_PACKAGES
# packages.
#
# The engine is versitygw (tools/install-s3-engine.sh). The packages look like real ones: Zig's own
# standard library (lib/std of the installed zig, about 15 MB of Zig source, as one tagged repository),
# packbase's own source tree, and the built-in `hello` seed. They are ingested on a root directory,
# which `packbase.war migrate` copies into the bucket (timed). Every target is checked to send the
# same bytes, then each tarball is fetched by BENCH_CONNECTIONS keep-alive clients for BENCH_DURATION
# seconds per run, the three targets alternating run by run (order reversed every round), in
# BENCH_ROUNDS rounds. The load generator is Python (threads, http.client), on the same two cores.
# For the startup: dev.packbase.ingest.ScaleRoot generates a root of BENCH_PACKAGES packages with one
# tag each, `migrate` copies it into a second bucket, and a fresh node (empty local directory) is
# started on it BENCH_STARTS times: launch to the first /api/status, and to the state loaded.
#
# Environment (all optional):
#   BENCH_CONNECTIONS=8  BENCH_DURATION=8  BENCH_ROUNDS=3
#   BENCH_PACKAGES=10000  BENCH_STARTS=3   (BENCH_PACKAGES=0 skips the startup part)
#   BENCH_WAR=<repo>/target/packbase.war  BENCH_ZIG=~/.cache/packbase/zig/0.15.1/ziglang
#   BENCH_TMPDIR (else /dev/shm when writable, else /tmp)  BENCH_RESULTS_DIR=<repo>/bench/results
#   BENCH_KEEP=0   1 keeps the temporary directory
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/.." && pwd)
CONNECTIONS=${BENCH_CONNECTIONS:-8}
DURATION=${BENCH_DURATION:-8}
ROUNDS=${BENCH_ROUNDS:-3}
PACKAGES=${BENCH_PACKAGES:-10000}
STARTS=${BENCH_STARTS:-3}
WAR=${BENCH_WAR:-$repo_root/target/packbase.war}
ZIG_DIR=${BENCH_ZIG:-$HOME/.cache/packbase/zig/0.15.1/ziglang}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$here/results}
KEEP=${BENCH_KEEP:-0}
GW=${PACKBASE_S3_ENGINE_HOME:-$HOME/.cache/packbase/versitygw}/v1.8.0/versitygw
log() { printf 'object-storage: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# shellcheck source=lib.sh
. "$here/lib.sh"

[ -f "$WAR" ] || die "no $WAR: ./mvnw -B -q package -DskipTests"
[ -x "$GW" ] || die "no versitygw at $GW: tools/install-s3-engine.sh"
[ -d "$ZIG_DIR/lib/std" ] || die "no Zig standard library under $ZIG_DIR: tools/install-zig.sh"
bench_setup object-storage
KEY=bench SECRET=bench-secret-0123456789

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_http() { # wait_http <url> <seconds>
  local i
  for ((i = 0; i < $2 * 20; i++)); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done
  return 1
}

# ------------------------------------------------------------------------------------- the engine
S3_PORT=$(free_port)
mkdir -p "$T/s3/bench" "$T/s3/scale"
ROOT_ACCESS_KEY=$KEY ROOT_SECRET_KEY=$SECRET "$GW" --port "127.0.0.1:$S3_PORT" --region us-east-1 --keep-alive \
  --quiet posix "$T/s3" >"$T/s3.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$S3_PORT/" 10 || die "versitygw did not start"
export AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET PACKBASE_S3_ENDPOINT=http://127.0.0.1:$S3_PORT

# ------------------------------------------------------------------------------ real-shaped packages
make_repo() { # make_repo <name> <source dir> <tag>
  local dir=$T/upstream/$1
  mkdir -p "$dir"
  cp -r "$2"/. "$dir/"
  printf '.{ .name = .%s, .version = "1.0.0", .fingerprint = 0x%s, .paths = .{""} }\n' "$1" \
    "$(printf '%s' "$1" | sha256sum | cut -c1-16)" >"$dir/build.zig.zon"
  git -C "$dir" init -q && git -C "$dir" add -A
  GIT_AUTHOR_DATE=@1700000000 GIT_COMMITTER_DATE=@1700000000 git -C "$dir" -c user.name=b -c user.email=b@b \
    commit -qm "$1 $3"
  git -C "$dir" tag "$3"
}
make_repo zigstd "$ZIG_DIR/lib/std" v0.15.1
make_repo pbsrc "$repo_root/src/main/java" v1.0.0

start_node() { # start_node <name> <env...>: sets NODE_PORT and NODE_PID; the node's log is $T/<name>.log
  local name=$1
  shift
  NODE_PORT=$(free_port)
  env PACKBASE_PORT="$NODE_PORT" PACKBASE_HOST=127.0.0.1 PACKBASE_FETCH_ALLOWED_SCHEMES=https,http,file "$@" \
    java -Xmx512m -jar "$WAR" >"$T/$name.log" 2>&1 &
  NODE_PID=$!
  pids+=("$NODE_PID")
}

start_node file PACKBASE_ROOT="$T/root"; FILE_PORT=$NODE_PORT FILE_PID=$NODE_PID
wait_http "http://127.0.0.1:$FILE_PORT/api/status" 60 || die "packbase (file) did not start"
for p in zigstd pbsrc; do
  curl -sf -d "{\"url\":\"file://$T/upstream/$p\"}" "http://127.0.0.1:$FILE_PORT/api/fetch" >/dev/null \
    || die "fetch of $p failed"
done
stop_gracefully "$FILE_PID"
t0=$(date +%s.%N)
java -jar "$WAR" migrate --from "$T/root" --to s3://bench/reg >"$T/migrate.log" 2>&1 || die "migrate failed: $(tail -3 "$T/migrate.log")"
MIGRATE_S=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')")
MIGRATED=$(tail -1 "$T/migrate.log")

start_node file2 PACKBASE_ROOT="$T/root" PACKBASE_SEED=false; FILE_PORT=$NODE_PORT FILE_PID=$NODE_PID
start_node s3 PACKBASE_ROOT="$T/s3root" PACKBASE_STORAGE=s3://bench/reg PACKBASE_LOCAL_DIR="$T/local" PACKBASE_SEED=false
S3N_PORT=$NODE_PORT S3N_PID=$NODE_PID
wait_http "http://127.0.0.1:$FILE_PORT/api/status" 60 || die "packbase (file) did not start"
wait_http "http://127.0.0.1:$S3N_PORT/api/status" 60 || die "packbase (s3) did not start"

# ------------------------------------------------------------------------------- the GET benchmark
python3 - "$T" "$FILE_PORT" "$S3N_PORT" "$S3_PORT" "$KEY" "$SECRET" "$CONNECTIONS" "$DURATION" "$ROUNDS" \
  >"$T/get.md" <<'PY'
import datetime, hashlib, hmac, http.client, json, sys, threading, time, urllib.parse
T, file_port, s3n_port, s3_port, key, secret = sys.argv[1], *map(int, sys.argv[2:5]), sys.argv[5], sys.argv[6]
conns, duration, rounds = map(int, sys.argv[7:10])
tarballs = [("hello", "p/hello/tag/v0.1.0.tar.gz"), ("pbsrc", "p/pbsrc/tag/v1.0.0.tar.gz"),
            ("zigstd", "p/zigstd/tag/v0.15.1.tar.gz")]

def presign(object_key):
    """A SigV4 presigned GET of bench/reg/<key> (path-style, us-east-1), valid an hour."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    scope = f"{day}/us-east-1/s3/aws4_request"
    path = "/bench/reg/" + urllib.parse.quote(object_key)
    q = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": f"{key}/{scope}", "X-Amz-Date": amz,
         "X-Amz-Expires": "3600", "X-Amz-SignedHeaders": "host"}
    query = "&".join(f"{urllib.parse.quote(k, safe='')}={urllib.parse.quote(v, safe='')}" for k, v in sorted(q.items()))
    canonical = f"GET\n{path}\n{query}\nhost:127.0.0.1:{s3_port}\n\nhost\nUNSIGNED-PAYLOAD"
    to_sign = f"AWS4-HMAC-SHA256\n{amz}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    k = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return f"{path}?{query}&X-Amz-Signature={hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()}"

targets = {"packbase on S3": lambda k: (s3n_port, "/" + k), "packbase on files": lambda k: (file_port, "/" + k),
           "engine directly": lambda k: (s3_port, presign(k))}

def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body

sizes = {}
for name, k in tarballs:
    bodies = {t: get(*f(k)) for t, f in targets.items()}
    for t, (status, body) in bodies.items():
        assert status == 200, (t, k, status, body[:200])
    assert len({b for _, b in bodies.values()}) == 1, f"targets differ for {k}"
    sizes[name] = len(bodies["engine directly"][1])

def run(port, path, seconds):
    lat, stop, lock = [], time.monotonic() + seconds, threading.Lock()
    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            t = time.perf_counter()
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            if r.status != 200:
                raise SystemExit(f"HTTP {r.status} from {port}{path}")
            mine.append(time.perf_counter() - t)
        with lock:
            lat.extend(mine)
    threads = [threading.Thread(target=client) for _ in range(conns)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    lat.sort()
    return len(lat) / seconds, lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000

results = {}
order = list(targets)
for name, k in tarballs:
    for t in order:
        run(*targets[t](k), 2)  # warm-up (fills packbase's local cache)
    for r in range(rounds):
        for t in (order if r % 2 == 0 else order[::-1]):
            results.setdefault((name, t), []).append(run(*targets[t](k), duration))

med = lambda xs: sorted(xs)[len(xs) // 2]
print("| tarball | size | target | req/s | p50 ms | p99 ms | req/s vs engine | req/s vs files |")
print("|---|---|---|---|---|---|---|---|")
for name, _ in tarballs:
    base = med([x[0] for x in results[(name, "engine directly")]])
    files = med([x[0] for x in results[(name, "packbase on files")]])
    for t in order:
        rs = results[(name, t)]
        rps, p50, p99 = med([x[0] for x in rs]), med([x[1] for x in rs]), med([x[2] for x in rs])
        print(f"| {name} | {sizes[name]:,} B | {t} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {rps / base:.2f}x | {rps / files:.2f}x |")
PY
stop_gracefully "$FILE_PID" "$S3N_PID"

# ----------------------------------------------------------------- a fresh node at BENCH_PACKAGES
START_MD=""
if [ "$PACKAGES" -gt 0 ]; then
  GEN_CP="$repo_root/target/test-classes:$repo_root/target/classes:$(cd "$repo_root" && ./mvnw -o -q \
    dependency:build-classpath -Dmdep.outputFile=/dev/stdout 2>/dev/null)"
  log "generating $PACKAGES packages"
  t0=$(date +%s.%N)
  java -Xmx2g -cp "$GEN_CP" dev.packbase.ingest.ScaleRoot "$T/scale-root" "$T/catalog.json" "$PACKAGES" 1 \
    "$(nproc)" 1 >"$T/gen.log" 2>&1 || die "generation failed: $(tail -3 "$T/gen.log")"
  GEN_S=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')")
  OBJECTS=$(find "$T/scale-root" -type f -not -path '*/.packbase/tmp/*' | wc -l)
  log "migrating $OBJECTS objects"
  t0=$(date +%s.%N)
  java -jar "$WAR" migrate --from "$T/scale-root" --to s3://scale/reg >"$T/migrate-scale.log" 2>&1 \
    || die "migrate failed: $(tail -3 "$T/migrate-scale.log")"
  SCALE_MIGRATE_S=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.1f}')")
  START_MD="| start | to the first /api/status | to the state loaded (log) |"$'\n'"|---|---|---|"
  for ((i = 1; i <= STARTS; i++)); do
    rm -rf "$T/fresh"
    t0=$(date +%s.%N)
    start_node "fresh$i" PACKBASE_ROOT="$T/fresh-root" PACKBASE_STORAGE=s3://scale/reg PACKBASE_LOCAL_DIR="$T/fresh" \
      PACKBASE_SEED=false
    FP=$NODE_PORT FPID=$NODE_PID
    wait_http "http://127.0.0.1:$FP/api/status" 300 || die "the fresh node did not start: $(tail -5 "$T/fresh$i.log")"
    UP=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
    LOADED=$(grep -o 'read [0-9]* package records in [0-9]* ms and [0-9]* info entries in [0-9]* ms' "$T/fresh$i.log" | head -1)
    n=$(curl -s "http://127.0.0.1:$FP/api/list" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["local_packages"]))')
    [ "$n" = "$PACKAGES" ] || die "the fresh node lists $n packages, not $PACKAGES"
    START_MD+=$'\n'"| $i | ${UP} s | $LOADED |"
    stop_gracefully "$FPID"
  done
fi

# --------------------------------------------------------------------------------------- the report
mkdir -p "$RESULTS_DIR"
report="$RESULTS_DIR/object-storage-$(date -u +%Y-%m-%d).md"
{
  echo "# Object storage: tarball GETs and a fresh node's startup ($(date -u +%Y-%m-%d), $(war_revision))"
  echo
  echo "versitygw v1.8.0 (posix backend on $TMPBASE) on loopback; packbase \`java -Xmx512m -jar packbase.war\`"
  echo "standalone on files and on the bucket (local cache on); $CONNECTIONS keep-alive Python clients, ${DURATION} s"
  echo "per run, $ROUNDS rounds alternating, medians; one machine with $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Migrating the three packages into the bucket: ${MIGRATE_S} s ($MIGRATED)."
  echo
  cat "$T/get.md"
  if [ -n "$START_MD" ]; then
    echo
    echo "A fresh node (empty local directory) on a bucket of $PACKAGES packages × 1 tag ($OBJECTS objects;"
    echo "generated in ${GEN_S} s by ScaleRoot, migrated in ${SCALE_MIGRATE_S} s):"
    echo
    echo "$START_MD"
  fi
} | tee "$report"
log "report: $report"
