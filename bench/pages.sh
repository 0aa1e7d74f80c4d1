#!/usr/bin/env bash
# Web face benchmark: the pages a browser gets from packbase at BENCH_PACKAGES packages (a root that
# dev.packbase.ingest.ScaleRoot generates through the product's own ingest; every package has a README),
# standalone (`java -Xmx512m -jar packbase.war`), measured with wrk and `Accept: text/html`.
#
# Target (issue "web face"): p99 under 50 ms for the index and for a package page at 10,000 packages.
# Pages measured, in rounds and in alternation: the index (first page), the index deep in its pages
# (?page=100, sorted by date), a server-side search (?q=<word>), a random package page, a random version
# page, a random file page; and /api/info/<pkg> beside them as the JSON reference. It first waits
# until every package's description is known (the index learns them in the background) and records
# how long that took.
#
# Environment (all optional):
#   BENCH_PACKAGES=10000 BENCH_TAGS=3 BENCH_SEED=1   the generated root
#   BENCH_ROOT_DIR=""                             keep the generated root here and reuse it
#   BENCH_HEAP=512m                               -Xmx of the server
#   BENCH_THREADS=2 BENCH_CONNECTIONS=16          wrk threads and connections
#   BENCH_DURATION=10 BENCH_ROUNDS=2              seconds per wrk run, rounds
#   BENCH_WAR=<repo>/target/packbase.war  BENCH_RESULTS_DIR=<repo>/bench/results  BENCH_KEEP=0
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/.." && pwd)
PACKAGES=${BENCH_PACKAGES:-10000}
TAGS=${BENCH_TAGS:-3}
SEED=${BENCH_SEED:-1}
ROOT_DIR=${BENCH_ROOT_DIR:-}
HEAP=${BENCH_HEAP:-512m}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-2}
WAR=${BENCH_WAR:-$repo_root/target/packbase.war}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$here/results}
KEEP=${BENCH_KEEP:-0}
log() { printf 'pages: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
for v in PACKAGES TAGS SEED THREADS CONNECTIONS DURATION ROUNDS; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || die "BENCH_$v must be a positive integer, got '${!v}'"
done
for tool in java jar wrk python3 curl; do command -v "$tool" >/dev/null || die "$tool not found"; done
[ -f "$WAR" ] || die "WAR not found at $WAR (./mvnw -B -q package -DskipTests)"
[ -f "$repo_root/target/test-classes/dev/packbase/ingest/ScaleRoot.class" ] || die "run ./mvnw -B -q package -DskipTests first"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_setup packbase-pages
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$T/war"
(cd "$T/war" && jar xf "$WAR" WEB-INF/classes WEB-INF/lib)
DATA=${ROOT_DIR:-$T/data}
ROOT="$DATA/root"
STAMP="packages=$PACKAGES tags=$TAGS seed=$SEED"
if [ -n "$ROOT_DIR" ] && [ -f "$DATA/generated.txt" ] && [ "$(head -n 1 "$DATA/generated.txt")" = "$STAMP" ]; then
  log "reusing the root in $DATA ($STAMP)"
else
  rm -rf "$ROOT" && mkdir -p "$DATA"
  log "generating $PACKAGES packages × $TAGS tags into $ROOT"
  java -Xmx2g -cp "$repo_root/target/test-classes:$T/war/WEB-INF/classes:$T/war/WEB-INF/lib/*" \
    dev.packbase.ingest.ScaleRoot "$ROOT" "$DATA/catalog.json" "$PACKAGES" "$TAGS" "$(nproc)" "$SEED" \
    2> >(grep --line-buffered '^scale-root:' >&2) || die "generation failed"
  printf '%s\n' "$STAMP" >"$DATA/generated.txt"
fi
rm -f "$ROOT/.packbase/web/summaries.json" # the descriptions are learnt again, and timed

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
URL="http://127.0.0.1:$PORT"
PACKBASE_ROOT="$ROOT" PACKBASE_PORT="$PORT" PACKBASE_HOST=127.0.0.1 PACKBASE_SEED=false \
  java "-Xmx$HEAP" -jar "$WAR" >"$T/pb.out" 2>"$T/pb.err" &
PB_PID=$!
pids+=("$PB_PID")
t0=$EPOCHREALTIME
for ((i = 0; i < 6000; i++)); do curl -sf -o /dev/null "$URL/api/status" && break; sleep 0.02; done
curl -sf -o /dev/null "$URL/api/status" || die "packbase did not start: $(tail -n 20 "$T/pb.err")"
# Every row of the index has its description once the background pass is done: no empty cell left
# on the last page sorted by date, nor on the first.
H='Accept: text/html'
for ((i = 0; i < 3000; i++)); do
  curl -sf -H "$H" "$URL/" -o /dev/null # asks for the missing descriptions
  if [ "$(stat -c %s "$ROOT/.packbase/web/summaries.json" 2>/dev/null || echo 0)" -gt 0 ] \
    && python3 -c "import json,sys; sys.exit(0 if len(json.load(open('$ROOT/.packbase/web/summaries.json'))) >= $PACKAGES else 1)"; then
    break
  fi
  sleep 0.1
done
LEARNT_MS=$(python3 -c "print(round(($EPOCHREALTIME - $t0) * 1000))")
log "descriptions of $PACKAGES packages known $LEARNT_MS ms after the start"
WORD=$(curl -sf -H "$H" "$URL/pkg_00042" | python3 -c "import re,sys; print(re.search(r'class=\"summary\">([a-z]+)', sys.stdin.read()).group(1))")
FILE=build.zig.zon # every generated package has one
[ -n "$WORD" ] && [ -n "$FILE" ] || die "the package page does not look as expected"
TAG=$(curl -sf "$URL/api/info/pkg_00042" | python3 -c "import json,sys; print(json.load(sys.stdin)['latest_tag'])")

cat >"$T/pages.lua" <<LUA
local n = $PACKAGES
local counter = 0
setup = function(thread) thread:set("id", counter); counter = counter + 1 end
init = function(args) math.randomseed($SEED * 7919 + id); kind = args[1] end
request = function()
  local pkg = string.format("pkg_%05d", math.random(0, n - 1))
  local h = { ["Accept"] = "text/html,application/xhtml+xml" }
  if kind == "index" then return wrk.format("GET", "/", h) end
  if kind == "deep" then return wrk.format("GET", "/?sort=date&page=100", h) end
  if kind == "search" then return wrk.format("GET", "/?q=$WORD", h) end
  if kind == "package" then return wrk.format("GET", "/" .. pkg, h) end
  if kind == "version" then return wrk.format("GET", "/" .. pkg .. "/$TAG", h) end
  if kind == "file" then return wrk.format("GET", "/" .. pkg .. "/$TAG/-/$FILE", h) end
  return wrk.format("GET", "/api/info/" .. pkg)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %d %d %d %.3f %.3f %.3f\n", summary.duration, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA
KINDS=(index deep search package version file info)
: >"$T/results.tsv"
for kind in "${KINDS[@]}"; do wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$T/pages.lua" "$URL" -- "$kind" >/dev/null; done
for ((r = 1; r <= ROUNDS; r++)); do
  for kind in "${KINDS[@]}"; do
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$T/pages.lua" "$URL" -- "$kind")
    line=$(grep '^WRKRESULT' <<<"$out") || die "wrk failed: $out"
    read -r _ _ reqs errs p50 p99 rps <<<"$line"
    [ "$errs" = 0 ] || die "$kind: $errs errors (non-2xx or socket)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$r" "$reqs" "$p50" "$p99" "$rps" >>"$T/results.tsv"
    log "round $r $kind: p50 $p50 ms, p99 $p99 ms, $rps req/s"
  done
done
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$PB_PID/status")
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/pages-$(date -u +%Y-%m-%d).md"
python3 - "$T/results.tsv" "$PACKAGES" "$TAGS" "$HEAP" "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" \
  "$LEARNT_MS" "$RSS_KB" "$LOAD_START" "$LOAD_END" "$(war_revision)" "$WORD" "$FILE" >"$REPORT" <<'PY'
import statistics, sys, datetime
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
(n, tags, heap, threads, conns, dur, rounds, learnt, rss, l0, l1, rev, word, file) = sys.argv[2:16]
names = {"index": "`/` (the index, first page)", "deep": "`/?sort=date&page=100`", "search": f"`/?q={word}`",
         "package": "`/<pkg>` (random package)", "version": "`/<pkg>/<tag>`", "file": f"`/<pkg>/<tag>/-/{file}`",
         "info": "`/api/info/<pkg>` (JSON, for reference)"}
print(f"# Web face at {int(n):,} packages ({datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {rev})\n")
print(f"Standalone `java -Xmx{heap} -jar packbase.war` on a generated root of {int(n):,} packages × {tags} tags; "
      f"wrk -t{threads} -c{conns}, {dur} s per run after a 3 s warm-up, {rounds} rounds in alternation, "
      f"`Accept: text/html`; the median of the rounds. Load average {l0} at the start, {l1} at the end "
      f"(2 shared cores; wrk and the server share them).\n")
print(f"The descriptions of all {int(n):,} packages were known {int(learnt)/1000:.1f} s after the start "
      f"(read from the READMEs in the background, then stored in one object). Peak RSS {int(rss)//1024} MiB.\n")
print("| page | p50 ms | p99 ms | req/s | p99 < 50 ms |\n|---|---:|---:|---:|---|")
for kind in names:
    rs = [r for r in rows if r[0] == kind]
    p50 = statistics.median(float(r[3]) for r in rs); p99 = statistics.median(float(r[4]) for r in rs)
    rps = statistics.median(float(r[5]) for r in rs)
    goal = "" if kind == "info" else ("met" if p99 < 50 else "**not met**")
    print(f"| {names[kind]} | {p50:.2f} | {p99:.2f} | {rps:,.0f} | {goal} |")
PY
cat "$REPORT"
