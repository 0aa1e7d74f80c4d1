#!/usr/bin/env bash
# Tarball download benchmark: `GET /p/<pkg>/tag/<tag>.tar.gz` from packbase (standalone, and
# optionally inside Tomcat 11) against nginx serving the very same files from packbase's root, on
# one machine, in one run, with wrk over keep-alive connections.
#
# One generated package with three tags whose tarballs are about 10 KB, 200 KB and 5 MB
# (incompressible content). For each size: a short warm-up per server, then BENCH_ROUNDS timed wrk
# runs per server, the servers alternating run by run (and the order reversing every round).
# Reports requests/s, p50 and p99 latency per size and server, the ratio packbase/nginx against the
# project's target (>= 0.8x nginx's requests/s, p99 <= 2x nginx's), and the servers' CPU time and
# peak RSS. Before measuring, it checks that every server sends byte-identical tarballs and that
# packbase sends Content-Type application/gzip, Content-Length and ETag. Writes the Markdown report
# to stdout and to bench/results/tarball-get-<date>.md.
#
# Environment (all optional):
#   BENCH_THREADS=2  BENCH_CONNECTIONS=32   wrk threads and keep-alive connections
#   BENCH_DURATION=10  BENCH_WARMUP_S=5     seconds per timed run and per warm-up run
#   BENCH_ROUNDS=3                          timed runs per size and server
#   BENCH_SIZES="10000 200000 5000000"      bytes of random content per tag (3 tags)
#   BENCH_TOMCAT=1                          0 skips packbase-in-Tomcat
#   BENCH_TOMCAT_TGZ=~/.m2/…/tomcat-11.0.24.tar.gz   the Tomcat distribution to unpack
#   BENCH_NGINX_WORKERS=auto                nginx worker_processes
#   BENCH_WAR=<repo>/target/packbase.war    the WAR to run
#   BENCH_JAVA_OPTS=""                      extra JVM options for both JVMs (e.g. a JFR recording)
#   BENCH_PKG=tarbench  BENCH_SEED=1        package name; generator seed (same seed, same bytes)
#   BENCH_TMPDIR=/dev/shm (else $TMPDIR or /tmp)  where every temporary file goes
#   BENCH_RESULTS_DIR=<repo>/bench/results  where the report is written
#   BENCH_KEEP=0                            1 keeps the temporary directory (logs, raw wrk output)
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/.." && pwd)

THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=${BENCH_DURATION:-10}
WARMUP_S=${BENCH_WARMUP_S:-5}
ROUNDS=${BENCH_ROUNDS:-3}
SIZES=${BENCH_SIZES:-10000 200000 5000000}
TOMCAT=${BENCH_TOMCAT:-1}
TOMCAT_TGZ=${BENCH_TOMCAT_TGZ:-$HOME/.m2/repository/org/apache/tomcat/tomcat/11.0.24/tomcat-11.0.24.tar.gz}
NGINX_WORKERS=${BENCH_NGINX_WORKERS:-auto}
WAR=${BENCH_WAR:-$repo_root/target/packbase.war}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
PKG=${BENCH_PKG:-tarbench}
SEED=${BENCH_SEED:-1}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$here/results}
KEEP=${BENCH_KEEP:-0}

log() { printf 'tarball-get: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------- checks
for v in THREADS CONNECTIONS DURATION WARMUP_S ROUNDS SEED TOMCAT; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a non-negative integer, got '${!v}'"
done
[ "$THREADS" -ge 1 ] && [ "$CONNECTIONS" -ge "$THREADS" ] && [ "$DURATION" -ge 1 ] && [ "$ROUNDS" -ge 1 ] \
  || die "need BENCH_THREADS>=1, BENCH_CONNECTIONS>=BENCH_THREADS, BENCH_DURATION>=1, BENCH_ROUNDS>=1"
read -ra SIZE_LIST <<<"$SIZES"
[ "${#SIZE_LIST[@]}" -ge 1 ] || die "BENCH_SIZES is empty"
for s in "${SIZE_LIST[@]}"; do [[ $s =~ ^[0-9]+$ ]] && [ "$s" -ge 1 ] || die "bad size '$s' in BENCH_SIZES"; done
[[ $NGINX_WORKERS =~ ^([0-9]+|auto)$ ]] || die "BENCH_NGINX_WORKERS must be a number or auto"
[[ $PKG =~ ^[a-z][a-z0-9_]*$ ]] || die "BENCH_PKG must be a Zig identifier in lower case, got '$PKG'"
for tool in java git nginx wrk python3 curl sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install -y wrk nginx; see notes/infra.md §6)"
done
[ -f "$WAR" ] || die "WAR not found at $WAR (build it with ./mvnw -B -q package -DskipTests, or set BENCH_WAR)"
[ -r /proc/self/stat ] || die "/proc is needed for CPU and memory figures"
if [ "$TOMCAT" = 1 ] && [ ! -f "$TOMCAT_TGZ" ]; then
  log "Tomcat distribution not found at $TOMCAT_TGZ: skipping packbase-in-Tomcat"
  TOMCAT=0
  TOMCAT_SKIP="the Tomcat distribution was not found at \`$TOMCAT_TGZ\`"
fi
TOMCAT_SKIP=${TOMCAT_SKIP:-BENCH_TOMCAT=0}
CLK_TCK=$(getconf CLK_TCK)

# ------------------------------------------------------------------------------- temp and cleanup
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup packbase-tbench
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# Machine-wide busy and total jiffies (all CPUs), to see whether a run had the CPUs to itself.
machine_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

# --------------------------------------------------------------------------- upstream repository
# One commit per tag, each tree holding a single file of random bytes (plus a one-line README), so
# the gzip of the tarball is about as large as the file. Tags: size-<n> in BENCH_SIZES order.
log "generating the upstream repository (sizes: $SIZES) in $T"
python3 - "$T/work" "$SEED" "${SIZE_LIST[@]}" <<'PY'
import os, random, subprocess, sys
work, seed, sizes = sys.argv[1], int(sys.argv[2]), [int(a) for a in sys.argv[3:]]
rnd = random.Random(seed)
os.makedirs(work)
env = dict(os.environ, GIT_AUTHOR_NAME="Bench Author", GIT_AUTHOR_EMAIL="author@example.invalid",
           GIT_COMMITTER_NAME="Bench Committer", GIT_COMMITTER_EMAIL="committer@example.invalid")
def git(*args, when=None):
    e = dict(env)
    if when is not None:
        e["GIT_AUTHOR_DATE"] = e["GIT_COMMITTER_DATE"] = f"{when} +0000"
    subprocess.run(["git", "-C", work, *args], check=True, env=e, stdout=subprocess.DEVNULL)
git("init", "-q", "-b", "main")
t0 = 1704067200  # 2024-01-01T00:00:00Z
for i, size in enumerate(sizes):
    for name in os.listdir(work):
        if name.startswith("blob-"):
            os.remove(os.path.join(work, name))
    with open(os.path.join(work, f"blob-{size}.bin"), "wb") as f:
        f.write(rnd.randbytes(size))
    with open(os.path.join(work, "README.md"), "w") as f:
        f.write(f"Tarball benchmark package: {size} random bytes.\n")
    git("add", "-A")
    git("commit", "-q", "-m", f"{size} random bytes", when=t0 + i * 86400)
    git("tag", "-a", f"size-{size}", "-m", f"size-{size}", when=t0 + i * 86400 + 60)
PY
git clone -q --bare "$T/work" "$T/upstream.git"
UPSTREAM="$T/upstream.git"

# -------------------------------------------------------------------------------------- packbase
ROOT="$T/pb-root"
mkdir -p "$ROOT"
: >"$T/pb.out"
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
PACKBASE_ROOT="$ROOT" PACKBASE_PORT=0 PACKBASE_HOST=127.0.0.1 PACKBASE_SEED=false \
  PACKBASE_ALLOW_FILE_URLS=true java $JAVA_OPTS -jar "$WAR" >"$T/pb.out" 2>"$T/pb.err" &
PB_PID=$!
pids+=("$PB_PID")
pb_start=$EPOCHREALTIME
PB_URL=$(await_listening "$PB_PID" "$T/pb.out" "$T/pb.err")
pb_ready=$EPOCHREALTIME
log "packbase at $PB_URL (pid $PB_PID)"
ingest=$(curl -sS -X POST "$PB_URL/api/fetch" -H 'Content-Type: application/json' -d "{\"url\":\"file://$UPSTREAM\",\"name\":\"$PKG\"}")
python3 - "$ingest" "${#SIZE_LIST[@]}" <<'PY' || die "ingest failed: $ingest"
import json, sys
r = json.loads(sys.argv[1])
assert r.get("status") == "ok", r
assert r.get("tarball_count") == int(sys.argv[2]), r
PY
log "ingested ${#SIZE_LIST[@]} tags"

# ----------------------------------------------------------------------------------------- nginx
# nginx serves packbase's root as it is: the tarballs sit at p/<pkg>/tag/<tag>.tar.gz under it.
mkdir -p "$T/nginx/tmp"/{body,proxy,fastcgi,uwsgi,scgi}
chmod -R 777 "$T/nginx/tmp"
NGINX_PORT=$(free_port)
cat >"$T/nginx/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
daemon off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $T/nginx/tmp/body;
    proxy_temp_path       $T/nginx/tmp/proxy;
    fastcgi_temp_path     $T/nginx/tmp/fastcgi;
    uwsgi_temp_path       $T/nginx/tmp/uwsgi;
    scgi_temp_path        $T/nginx/tmp/scgi;
    types { }
    default_type application/gzip;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $ROOT;
        location /p/ { }
        location / { return 404; }
    }
}
EOF
nginx -t -c "$T/nginx/nginx.conf" >"$T/nginx/test.out" 2>&1 || die "nginx config rejected: $(cat "$T/nginx/test.out")"
nginx -c "$T/nginx/nginx.conf" >"$T/nginx/nginx.out" 2>&1 &
NGINX_PID=$!
pids+=("$NGINX_PID")
NG_URL="http://127.0.0.1:$NGINX_PORT"
for ((i = 0; i < 200; i++)); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$NG_URL/p/$PKG/tag/size-${SIZE_LIST[0]}.tar.gz" || true)" = 200 ] && break
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$T/nginx/nginx.out" "$T/nginx/error.log" 2>/dev/null)"
  sleep 0.05
done
nginx_workers() { cat "/proc/$NGINX_PID/task/$NGINX_PID/children"; }
log "nginx at $NG_URL (master $NGINX_PID, workers $(nginx_workers | xargs))"

# ------------------------------------------------------------------------------ packbase in Tomcat
SERVERS="packbase nginx"
TC_PID= TC_URL= TC_VERSION=
if [ "$TOMCAT" = 1 ]; then
  mkdir -p "$T/tomcat"
  tar xzf "$TOMCAT_TGZ" -C "$T/tomcat"
  CATALINA_HOME=$(find "$T/tomcat" -mindepth 1 -maxdepth 1 -type d -name 'apache-tomcat-*' | head -n 1)
  [ -n "$CATALINA_HOME" ] || die "no apache-tomcat-* directory in $TOMCAT_TGZ"
  TC_VERSION=${CATALINA_HOME##*/apache-tomcat-}
  rm -rf "$CATALINA_HOME/webapps/"*
  cp "$WAR" "$CATALINA_HOME/webapps/ROOT.war"
  TC_PORT=$(free_port)
  # Loopback on a free port, no shutdown port, unlimited keep-alive requests (as for nginx and
  # packbase's embedded Jetty), no access log (neither of the others writes one).
  python3 - "$CATALINA_HOME/conf/server.xml" "$TC_PORT" <<'PY'
import re, sys
path, port = sys.argv[1], sys.argv[2]
x = open(path).read()
x, n1 = re.subn(r'<Server port="\d+"', '<Server port="-1"', x)
x, n2 = re.subn(r'<Connector port="8080" protocol="HTTP/1.1"',
                f'<Connector port="{port}" address="127.0.0.1" maxKeepAliveRequests="-1" protocol="HTTP/1.1"', x)
x, n3 = re.subn(r'<Valve className="org.apache.catalina.valves.AccessLogValve".*?/>', '', x, flags=re.S)
assert n1 == 1 and n2 == 1, (n1, n2)
open(path, "w").write(x)
PY
  # The Tomcat deployment opens the same root read-only (an edge), so that two writers never share it.
  CATALINA_OPTS="-Dpackbase.root=$ROOT -Dpackbase.seed=false -Dpackbase.read.only=true $JAVA_OPTS" \
    CATALINA_PID= "$CATALINA_HOME/bin/catalina.sh" run >"$T/tomcat/run.log" 2>&1 &
  TC_PID=$! # catalina.sh run execs java, so this is the JVM
  pids+=("$TC_PID")
  TC_URL="http://127.0.0.1:$TC_PORT"
  tc_start=$EPOCHREALTIME
  for ((i = 0; i < 1200; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$TC_URL/p/$PKG/tag/size-${SIZE_LIST[0]}.tar.gz" || true)" = 200 ] && break
    kill -0 "$TC_PID" 2>/dev/null || die "Tomcat exited: $(tail -n 20 "$T/tomcat/run.log")"
    sleep 0.05
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$TC_URL/p/$PKG/tag/size-${SIZE_LIST[0]}.tar.gz" || true)" = 200 ] \
    || die "packbase in Tomcat does not serve the tarball: $(tail -n 20 "$T/tomcat/run.log")"
  tc_ready=$EPOCHREALTIME
  log "packbase in Tomcat $TC_VERSION at $TC_URL (pid $TC_PID), ready after $(python3 -c "print(round($tc_ready - $tc_start, 1))") s"
  SERVERS="packbase nginx tomcat"
fi
url_of() { case $1 in packbase) echo "$PB_URL" ;; nginx) echo "$NG_URL" ;; tomcat) echo "$TC_URL" ;; esac; }
server_cpu() { # ticks of the server's processes (nginx: master + workers)
  local sum w
  case $1 in
    packbase) cpu_with_children "$PB_PID" ;;
    tomcat) cpu_with_children "$TC_PID" ;;
    nginx)
      sum=$(cpu_with_children "$NGINX_PID")
      for w in $(nginx_workers); do sum=$((sum + $(cpu_with_children "$w"))); done
      echo "$sum" ;;
  esac
}
server_hwm() { # peak RSS (VmHWM) in KiB; nginx: the largest of its processes
  local m=0 w v
  case $1 in
    packbase) status_kb "$PB_PID" VmHWM ;;
    tomcat) status_kb "$TC_PID" VmHWM ;;
    nginx)
      for w in "$NGINX_PID" $(nginx_workers); do v=$(status_kb "$w" VmHWM); [ "$v" -gt "$m" ] && m=$v; done
      echo "$m" ;;
  esac
}
server_reset_hwm() {
  local w
  case $1 in
    packbase) reset_hwm "$PB_PID" ;;
    tomcat) reset_hwm "$TC_PID" ;;
    nginx) for w in "$NGINX_PID" $(nginx_workers); do reset_hwm "$w"; done ;;
  esac
}

# ----------------------------------------------------------------------------------- correctness
# Every server must send the same bytes for every tag (the file on disk, whose sha256 packbase's
# manifest records), and packbase must send the headers Zig and caches rely on.
CHECKS="$T/checks.tsv"
: >"$CHECKS"
for size in "${SIZE_LIST[@]}"; do
  tag="size-$size"
  file="$ROOT/p/$PKG/tag/$tag.tar.gz"
  [ -f "$file" ] || die "$file does not exist after the ingest"
  want=$(sha256sum "$file" | cut -d' ' -f1)
  bytes=$(stat -c %s "$file")
  grep -q "\"$want\"" "$ROOT/p/$PKG/tag/$tag.json" || die "the manifest of $tag does not record the file's sha256 $want"
  for s in $SERVERS; do
    url="$(url_of "$s")/p/$PKG/tag/$tag.tar.gz"
    curl -sS -D "$T/h-$s-$tag" -o "$T/b-$s-$tag" "$url" || die "GET $url failed"
    got=$(sha256sum "$T/b-$s-$tag" | cut -d' ' -f1)
    [ "$got" = "$want" ] || die "$s sent different bytes for $tag: sha256 $got, want $want"
    python3 - "$T/h-$s-$tag" "$s" "$bytes" "$want" <<'PY' || die "$s: wrong headers for $tag: $(cat "$T/h-$s-$tag")"
import sys
lines = open(sys.argv[1], newline="").read().split("\r\n")
server, size, sha = sys.argv[2], sys.argv[3], sys.argv[4]
assert lines[0].split()[1] == "200", lines[0]
h = {}
for l in lines[1:]:
    if ":" in l:
        k, v = l.split(":", 1)
        h.setdefault(k.strip().lower(), []).append(v.strip())
one = lambda k: h.get(k, [None])[0]
assert one("content-type") == "application/gzip", one("content-type")
assert one("content-length") == size, (one("content-length"), size)
assert "content-encoding" not in h, h["content-encoding"]
if server != "nginx":
    assert one("etag") == f'"{sha}"', one("etag")
else:
    assert one("etag"), "nginx sent no ETag"
PY
    ct=$(awk -F': *' 'tolower($1) == "content-type" { sub(/\r$/, "", $2); print $2 }' "$T/h-$s-$tag")
    et=$(awk -F': *' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }' "$T/h-$s-$tag")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$s" "$bytes" "$got" "$ct" "$et" >>"$CHECKS"
    rm -f "$T/b-$s-$tag"
  done
  log "$tag: $bytes bytes, sha256 ${want:0:16}… identical from: $SERVERS"
done

# ---------------------------------------------------------------------------------- measurements
cat >"$T/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKRESULT %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
LUA
RUNS_TSV="$T/runs.tsv"
RES="$T/resources.tsv"
: >"$RUNS_TSV"; : >"$RES"
run_wrk() { # $1 server, $2 size, $3 seconds, $4 output file
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3"s --latency -s "$T/report.lua" \
    "$(url_of "$1")/p/$PKG/tag/size-$2.tar.gz" >"$4" 2>&1 || die "wrk against $1 failed: $(cat "$4")"
}

total_runs=$(( ${#SIZE_LIST[@]} * $(wc -w <<<"$SERVERS") * ROUNDS ))
log "measuring: $total_runs timed runs of ${DURATION}s (wrk -t$THREADS -c$CONNECTIONS) plus warm-ups of ${WARMUP_S}s"
bench_start=$EPOCHREALTIME
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
read -r mbusy_start mtotal_start <<<"$(machine_ticks)"
for size in "${SIZE_LIST[@]}"; do
  if [ "$WARMUP_S" -gt 0 ]; then
    for s in $SERVERS; do run_wrk "$s" "$size" "$WARMUP_S" "$T/warmup-$s-$size.txt"; done
  fi
  for s in $SERVERS; do server_reset_hwm "$s"; done
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2 == 1)); then order=$SERVERS; else order=$(tr ' ' '\n' <<<"$SERVERS" | tac | xargs); fi
    for s in $order; do
      out="$T/wrk-$s-$size-$r.txt"
      c0=$(server_cpu "$s")
      read -r b0 t0 <<<"$(machine_ticks)"
      run_wrk "$s" "$size" "$DURATION" "$out"
      read -r b1 t1 <<<"$(machine_ticks)"
      c1=$(server_cpu "$s")
      line=$(grep '^WRKRESULT ' "$out") || die "no result line from wrk: $(cat "$out")"
      # size server round  duration_us requests bytes connect read write status timeout p50 p90 p99 max  cpu_ticks machine_busy%
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$s" "$r" "$(cut -d' ' -f2- <<<"$line" | tr ' ' '\t')" \
        $((c1 - c0)) "$(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))" >>"$RUNS_TSV"
      log "size $size, $s, round $r: $(awk '{ printf "%.0f req/s, p50 %.2f ms, p99 %.2f ms", $2 / $1 * 1e6, $9 / 1000, $11 / 1000 }' <<<"$(cut -d' ' -f2- <<<"$line")")"
    done
  done
  for s in $SERVERS; do printf '%s\t%s\thwm_kb\t%s\n' "$size" "$s" "$(server_hwm "$s")" >>"$RES"; done
done
bench_end=$EPOCHREALTIME
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)
read -r mbusy_end mtotal_end <<<"$(machine_ticks)"
pb_rss_end=$(status_kb "$PB_PID" VmRSS)
pb_threads=$(status_kb "$PB_PID" Threads)
tc_rss_end=; [ -n "$TC_PID" ] && tc_rss_end=$(status_kb "$TC_PID" VmRSS)
nginx_nproc=$(nginx_workers | wc -w)

stop_gracefully "$PB_PID" "$NGINX_PID" $TC_PID

# ----------------------------------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/tarball-get-$(date -u +%Y-%m-%d).md"
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
war_rev=$(war_revision)
export R_RUNS="$RUNS_TSV" R_RES="$RES" R_CHECKS="$CHECKS" R_SERVERS="$SERVERS" R_SIZES="$SIZES" R_CLK="$CLK_TCK" \
  R_THREADS="$THREADS" R_CONN="$CONNECTIONS" R_DURATION="$DURATION" R_WARMUP="$WARMUP_S" R_ROUNDS="$ROUNDS" \
  R_PKG="$PKG" R_SEED="$SEED" R_TOMCAT="$TOMCAT" R_TOMCAT_SKIP="$TOMCAT_SKIP" R_TC_VERSION="$TC_VERSION" \
  R_NGINX_WORKERS="$NGINX_WORKERS" R_NGINX_NPROC="$nginx_nproc" \
  R_PB_STARTUP="$(python3 -c "print(round($pb_ready - $pb_start, 1))")" R_PB_RSS_END="$pb_rss_end" \
  R_PB_THREADS="$pb_threads" R_TC_RSS_END="$tc_rss_end" \
  R_BENCH_S="$(python3 -c "print(round($bench_end - $bench_start, 1))")" R_LOAD0="$loadavg_start" R_LOAD1="$loadavg_end" \
  R_MBUSY="$(( (mbusy_end - mbusy_start) * 100 / (mtotal_end - mtotal_start) ))" \
  R_NPROC="$(nproc)" R_CPU="$cpu_model" R_KERNEL="$(uname -r)" R_MEM="$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
  R_JAVA="$(java -version 2>&1 | tr '\n' ' ')" R_NGINX="$(nginx -v 2>&1)" R_WRK="$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" \
  R_JAVA_OPTS="$JAVA_OPTS" R_WAR_SHA="$(sha256sum "$WAR" | cut -c1-16)" R_WAR_COMMIT="$war_rev" \
  R_TMP="$TMPBASE" R_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
python3 - >"$T/report.md" <<'PY'
import os, statistics
E = os.environ
servers = E["R_SERVERS"].split()
sizes = [int(s) for s in E["R_SIZES"].split()]
clk = int(E["R_CLK"])
runs = {}
for line in open(E["R_RUNS"]):
    f = line.rstrip("\n").split("\t")
    size, s, r = int(f[0]), f[1], int(f[2])
    dur, req, byt, ec, er, ew, es, et, p50, p90, p99, mx, cpu, busy = (float(x) for x in f[3:])
    runs.setdefault((size, s), []).append(dict(rps=req / dur * 1e6, req=req, dur=dur / 1e6, bytes=byt,
        errors=ec + er + ew + es + et, p50=p50 / 1000, p90=p90 / 1000, p99=p99 / 1000, max=mx / 1000,
        cpu=cpu / clk, busy=busy))
hwm = {}
for line in open(E["R_RES"]):
    size, s, k, v = line.rstrip("\n").split("\t")
    hwm[(int(size), s)] = int(v)
checks = {}
for line in open(E["R_CHECKS"]):
    size, s, nbytes, sha, ct, et = line.rstrip("\n").split("\t")
    checks[(int(size), s)] = dict(bytes=int(nbytes), sha=sha, ct=ct, etag=et)

def med(size, s, k):
    return statistics.median(x[k] for x in runs[(size, s)])
def human(n):
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} KB"
def ms(x):
    return f"{x:.2f} ms" if x < 10 else f"{x:.1f} ms"
NAMES = {"packbase": "packbase (java -jar)", "nginx": "nginx", "tomcat": f"packbase in Tomcat {E['R_TC_VERSION']}"}

o = []
p = o.append
p(f"# Tarball download benchmark: packbase vs nginx ({E['R_DATE']})\n")
p(f"`GET /p/{E['R_PKG']}/tag/<tag>.tar.gz`, the same files from every server, on one machine, in one run: "
  f"`wrk -t{E['R_THREADS']} -c{E['R_CONN']} -d{E['R_DURATION']}s` over keep-alive connections, "
  f"{E['R_ROUNDS']} timed runs per size and server after a {E['R_WARMUP']} s warm-up, the servers alternating run by "
  f"run. Values are the median of the runs. Target: packbase ≥ 0.8× nginx's requests/s and p99 ≤ 2× nginx's.\n")
p(f"**The machine has {E['R_NPROC']} cores and was shared** (load average {E['R_LOAD0']} before, {E['R_LOAD1']} after; "
  f"the CPUs were {E['R_MBUSY']} % busy over the timed runs, wrk included). wrk, the server under test and other "
  f"tenants compete for the same two cores, so absolute numbers are low and noisy; the ratios are the point.\n")
targets = []
def ratio_table(other, label):
    p(f"| tarball | nginx req/s | {label} req/s | **ratio req/s** (≥ 0.8) | nginx p50 | {label} p50 | nginx p99 | {label} p99 | **ratio p99** (≤ 2) | target |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for size in sizes:
        b = checks[(size, "nginx")]["bytes"]
        nr, pr = med(size, "nginx", "rps"), med(size, other, "rps")
        n99, p99 = med(size, "nginx", "p99"), med(size, other, "p99")
        ok = pr / nr >= 0.8 and p99 / n99 <= 2
        targets.append((other, size, ok))
        p(f"| {human(b)} ({b:,} B) | {nr:,.0f} | {pr:,.0f} | **{pr / nr:.2f}** | {ms(med(size, 'nginx', 'p50'))} | "
          f"{ms(med(size, other, 'p50'))} | {ms(n99)} | {ms(p99)} | **{p99 / n99:.2f}** | {'met' if ok else '**missed**'} |")
    p("")
p("packbase standalone (embedded Jetty) against nginx:\n")
ratio_table("packbase", "packbase")
if "tomcat" in servers:
    p(f"packbase deployed in Tomcat {E['R_TC_VERSION']} (as ROOT.war) against nginx:\n")
    ratio_table("tomcat", "Tomcat")
else:
    p(f"packbase in Tomcat was not measured ({E['R_TOMCAT_SKIP']}).\n")

p("Throughput and server resources per size (medians of the runs; CPU = user + system of the server's processes "
  "during the timed runs, per 1000 requests and as cores busy; peak RSS = VmHWM, reset before each size):\n")
p("| tarball | server | req/s | MB/s | p90 | max | CPU per 1000 req | server cores busy | peak RSS | errors |")
p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for size in sizes:
    for s in servers:
        rs = runs[(size, s)]
        cpu = sum(x["cpu"] for x in rs)
        req = sum(x["req"] for x in rs)
        dur = sum(x["dur"] for x in rs)
        mbs = statistics.median(x["bytes"] / x["dur"] / 1e6 for x in rs)
        err = int(sum(x["errors"] for x in rs))
        p(f"| {human(checks[(size, s)]['bytes'])} | {NAMES[s]} | {med(size, s, 'rps'):,.0f} | {mbs:,.0f} | "
          f"{ms(med(size, s, 'p90'))} | {ms(max(x['max'] for x in rs))} | {cpu / req * 1e6:,.0f} ms | "
          f"{cpu / dur:.2f} | {hwm[(size, s)] / 1024:,.0f} MiB | {err} |")
p("")
p("Every timed run (req/s · p50 · p99 · CPUs busy machine-wide):\n")
p("| tarball | server | " + " | ".join(f"run {i + 1}" for i in range(int(E["R_ROUNDS"]))) + " |")
p("|---|---|" + "---:|" * int(E["R_ROUNDS"]))
for size in sizes:
    for s in servers:
        p(f"| {human(checks[(size, s)]['bytes'])} | {s} | " + " | ".join(
            f"{x['rps']:,.0f} · {ms(x['p50'])} · {ms(x['p99'])} · {x['busy']:.0f} %" for x in runs[(size, s)]) + " |")
p("")
p("Checks (before measuring):\n")
for size in sizes:
    c = {s: checks[(size, s)] for s in servers}
    shas = {x["sha"] for x in c.values()}
    p(f"- `size-{size}`: {c['nginx']['bytes']:,} bytes, sha256 `{c['nginx']['sha'][:16]}…`, "
      f"{'identical from ' + ', '.join(servers) if len(shas) == 1 else 'DIFFERENT bytes'} and equal to the manifest's; "
      f"packbase: `Content-Type: {c['packbase']['ct']}`, `Content-Length`, `ETag: {c['packbase']['etag'][:18]}…\"`, "
      f"no `Content-Encoding`; nginx: `Content-Type: {c['nginx']['ct']}`, `ETag: {c['nginx']['etag']}`.")
p("- The response bodies of the timed runs are not checked again; wrk counts non-2xx/3xx answers and socket errors "
  "(column *errors*).")
p("")
p("Setup:\n")
p(f"- Package `{E['R_PKG']}`: a generated Git repository with one commit and one annotated tag per size "
  f"(`size-<bytes>`), each tree a single file of random bytes (seed {E['R_SEED']}) and a README, so the gzip "
  f"cannot shrink it. Ingested with `POST /api/fetch` (`file:` URL).")
p(f"- packbase: `java {E['R_JAVA_OPTS'] + ' ' if E['R_JAVA_OPTS'] else ''}-jar packbase.war`, embedded Jetty, "
  f"default JVM options, `PACKBASE_SEED=false`, `PACKBASE_ALLOW_FILE_URLS=true`, listening on 127.0.0.1; started in "
  f"{E['R_PB_STARTUP']} s; RSS at the end {int(E['R_PB_RSS_END']) / 1024:.0f} MiB, {E['R_PB_THREADS']} threads. "
  f"WAR sha256 {E['R_WAR_SHA']}…, built from {E['R_WAR_COMMIT']}.")
p(f"- nginx: `worker_processes {E['R_NGINX_WORKERS']}` ({E['R_NGINX_NPROC']} workers), `root` = packbase's root, "
  f"`sendfile on`, `tcp_nopush on`, `default_type application/gzip`, `keepalive_requests 1000000`, no access log.")
if "tomcat" in servers:
    p(f"- Tomcat {E['R_TC_VERSION']}: the distribution unpacked into the temp dir, packbase.war as `webapps/ROOT.war`, "
      f"`CATALINA_OPTS=-Dpackbase.root=<same root> -Dpackbase.read.only=true` (a read-only edge on the same root, so "
      f"two JVMs never write it), HTTP/1.1 connector on 127.0.0.1 with `maxKeepAliveRequests=\"-1\"`, shutdown port "
      f"disabled, access-log valve removed; RSS at the end {int(E['R_TC_RSS_END'] or 0) / 1024:.0f} MiB.")
p(f"- Everything under `{E['R_TMP']}` (tmpfs: the files are served from memory on every server). All traffic on "
  f"127.0.0.1. The timed runs took {E['R_BENCH_S']} s.")
p("")
p("Machine:\n")
p(f"- {E['R_NPROC']} CPUs, {E['R_CPU']}, {int(E['R_MEM']) // 1024} MiB RAM, Linux {E['R_KERNEL']}")
p(f"- {E['R_JAVA'].strip()}")
p(f"- {E['R_NGINX']}; {E['R_WRK']}")
print("\n".join(o))
PY
cp "$T/report.md" "$REPORT"
cat "$REPORT"
log "report written to $REPORT"
