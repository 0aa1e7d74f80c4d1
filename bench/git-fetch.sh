#!/usr/bin/env bash
# Git fetch benchmark: packbase's pseudo-Git layer against the real upstream repository served by
# `git http-backend` behind nginx + fcgiwrap, for the same package, on one machine, in one run.
#
# It runs once per repository shape (bench/gen-repo.py --shapes) and writes one report with a summary
# per shape. Measures (each: BENCH_WARMUP warm-ups, then BENCH_RUNS timed runs; the servers alternate
# run by run, and which one goes first rotates too):
#   zig     zig fetch git+http://HOST/<pkg>#<last tag>   (fresh ZIG_GLOBAL_CACHE_DIR per run)
#   depth1  git clone --depth 1 --branch <last tag> http://HOST/<pkg>
#   full    git clone http://HOST/<pkg>                  (packbase: one root commit per tag;
#                                                         upstream: the full history)
# A third server, the floor (bench/replay.py), answers with packbase's answers recorded during the
# warm-ups, from memory: a client's time against it is what any server leaves a client to do.
# Reports median and p90 wall time, the ratio packbase/backend, HTTP requests and bytes per run,
# objects received, and the servers' CPU time and peak RSS. Writes the Markdown report to stdout
# and to bench/results/git-fetch-<date>.md.
#
# Environment (all optional):
#   BENCH_RUNS=15  BENCH_WARMUP=2           timed runs and warm-ups per measure and server
#   BENCH_MEASURES="zig depth1 full"        which measures to run
#   BENCH_SHAPES="generated image vendored many-tags many-small"   repository shapes, one run each
#   BENCH_SHAPE=<shape>                     one shape only, one report (what each run of the above does);
#                                           "custom" is the generator's knobs below
#   BENCH_FILES=300  BENCH_TAGS=20          custom: files at the last tag, tagged releases v1.0.0 … v1.<TAGS-1>.0
#   BENCH_COMMITS_PER_TAG=3                 commits per release (history depth = TAGS*COMMITS_PER_TAG)
#   BENCH_FILE_KB=10                        mean size of a generated text file
#   BENCH_CHURN=0.04                        share of the text files changed by each commit
#   BENCH_SEED=1                            generator seed (same seed, same repository, same ids)
#   BENCH_PKG=benchlib                      package name
#   BENCH_ZIG_VERSION=0.15.1                zig release under $PACKBASE_ZIG_HOME (~/.cache/packbase/zig)
#   BENCH_ZIG=<path>                        or an explicit zig binary
#   BENCH_WAR=<repo>/target/packbase.war    the WAR to run with java -jar
#   BENCH_JAVA_OPTS=""                      extra JVM options (e.g. a JFR recording)
#   BENCH_TMPDIR=/dev/shm (else $TMPDIR or /tmp)  where every temporary file goes
#   BENCH_RESULTS_DIR=<repo>/bench/results  where the report is written
#   BENCH_RUSAGE_RUNS=5                     untimed backend runs per measure for git's CPU and RSS
#   BENCH_KEEP=0                            1 keeps the temporary directory (logs, repos)
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/.." && pwd)

SHAPES=${BENCH_SHAPES:-$(python3 "$here/gen-repo.py" --shapes | tr '\n' ' ')}
SHAPE=${BENCH_SHAPE:-}
RUNS=${BENCH_RUNS:-15}
WARMUP=${BENCH_WARMUP:-2}
MEASURES=${BENCH_MEASURES:-zig depth1 full}
FILES=${BENCH_FILES:-300}
TAGS=${BENCH_TAGS:-20}
COMMITS_PER_TAG=${BENCH_COMMITS_PER_TAG:-3}
FILE_KB=${BENCH_FILE_KB:-10}
CHURN=${BENCH_CHURN:-0.04}
SEED=${BENCH_SEED:-1}
PKG=${BENCH_PKG:-benchlib}
ZIG_VERSION=${BENCH_ZIG_VERSION:-0.15.1}
ZIG=${BENCH_ZIG:-${PACKBASE_ZIG_HOME:-$HOME/.cache/packbase/zig}/$ZIG_VERSION/ziglang/zig}
WAR=${BENCH_WAR:-$repo_root/target/packbase.war}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$here/results}
KEEP=${BENCH_KEEP:-0}
RUSAGE_RUNS=${BENCH_RUSAGE_RUNS:-5}

log() { printf 'git-fetch: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ------------------------------------------------------------------------- one run per shape
if [ -z "$SHAPE" ]; then
  parts=$(mktemp -d)
  trap 'rm -rf "$parts"' EXIT
  for sh in $SHAPES; do
    log "shape $sh"
    BENCH_SHAPE=$sh BENCH_RESULTS_DIR="$parts/$sh" BENCH_SUMMARY_FILE="$parts/summary.tsv" "$0" >/dev/null
  done
  mkdir -p "$RESULTS_DIR"
  REPORT="$RESULTS_DIR/git-fetch-$(date -u +%Y-%m-%d).md"
  python3 - "$parts" $SHAPES >"$REPORT" <<'PY'
import glob, os, sys
parts, shapes = sys.argv[1], sys.argv[2:]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(parts, "summary.tsv"))]
o = ["# Git fetch benchmark per repository shape: packbase vs git http-backend\n",
     "One run per shape (bench/gen-repo.py), each with its own servers; wall time medians of the client command, "
     "the servers alternating run by run. ratio = packbase / backend (target: at most 0.5). floor = the same client "
     "against a server that replays packbase's recorded answers from memory (bench/replay.py). CPU = server CPU "
     "per client run (packbase: the JVM; backend: git's processes).\n",
     "| shape | last tag: files, size | tags, commits | measure | packbase | backend | floor | ratio | packbase − floor "
     "| packbase CPU | git CPU | load before → after |",
     "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
for r in rows:
    shape, files, mib, tags, commits, m, pb, be, fl, pc, gc, load = r
    o.append(f"| {shape} | {files} files, {float(mib):.1f} MiB | {tags}, {commits} | {m} | {float(pb):.0f} ms | "
             f"{float(be):.0f} ms | {float(fl):.0f} ms | **{float(pb) / float(be):.2f}** | {float(pb) - float(fl):.0f} ms | "
             f"{float(pc):.0f} ms | {float(gc):.0f} ms | {load} |")
o.append("")
for sh in shapes:
    for f in sorted(glob.glob(os.path.join(parts, sh, "git-fetch-*.md"))):
        text = open(f).read()
        o.append(f"## Shape `{sh}`\n")
        o.append(text.replace("\n# ", "\n### ", 1).split("\n", 1)[1] if text.startswith("# ") else text)
print("\n".join(o))
PY
  cat "$REPORT"
  log "report written to $REPORT"
  exit 0
fi
[ "$SHAPE" = custom ] || grep -qx -- "$SHAPE" <<<"$(python3 "$here/gen-repo.py" --shapes)" \
  || { printf 'git-fetch: error: unknown shape %s (custom, or one of: %s)\n' "$SHAPE" "$SHAPES" >&2; exit 1; }
SUMMARY_FILE=${BENCH_SUMMARY_FILE:-}

# ---------------------------------------------------------------------------------------- checks
for v in RUNS WARMUP RUSAGE_RUNS FILES TAGS COMMITS_PER_TAG FILE_KB SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a non-negative integer, got '${!v}'"
done
[ "$RUNS" -ge 1 ] && [ "$WARMUP" -ge 1 ] && [ "$TAGS" -ge 1 ] && [ "$COMMITS_PER_TAG" -ge 1 ] && [ "$FILES" -ge 20 ] \
  || die "need BENCH_RUNS>=1, BENCH_WARMUP>=1 (the floor records then), BENCH_TAGS>=1, BENCH_COMMITS_PER_TAG>=1, BENCH_FILES>=20"
[[ $PKG =~ ^[a-z][a-z0-9_]*$ ]] || die "BENCH_PKG must be a Zig identifier in lower case, got '$PKG'"
for m in $MEASURES; do
  case $m in zig|depth1|full) ;; *) die "unknown measure '$m' in BENCH_MEASURES (zig, depth1, full)" ;; esac
done
for tool in java git nginx fcgiwrap python3 curl; do
  command -v "$tool" >/dev/null || die "$tool not found (tools/install-test-deps.sh installs the test tools)"
done
HTTP_BACKEND="$(git --exec-path)/git-http-backend"
[ -x "$HTTP_BACKEND" ] || die "git-http-backend not found at $HTTP_BACKEND"
[ -x "$ZIG" ] || die "zig not found at $ZIG (tools/install-zig.sh installs it, or set BENCH_ZIG)"
[ -f "$WAR" ] || die "WAR not found at $WAR (build it with ./mvnw -B -q package -DskipTests, or set BENCH_WAR)"
[ -r /proc/self/stat ] || die "/proc is needed for CPU and memory figures"
CLK_TCK=$(getconf CLK_TCK)

# ------------------------------------------------------------------------------- temp and cleanup
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup packbase-bench
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# --------------------------------------------------------------------------- upstream repository
mkdir -p "$T/work" "$T/srv/repos" "$T/srv/nginx-tmp"
if [ "$SHAPE" = custom ]; then
  log "generating the upstream repository ($FILES files, $TAGS tags, $COMMITS_PER_TAG commits per tag) in $T"
  LAST_TAG=$(python3 "$here/gen-repo.py" "$T/work" "$PKG" "$FILES" "$TAGS" "$COMMITS_PER_TAG" "$FILE_KB" "$CHURN" "$SEED" | tail -n 1)
else
  log "generating the upstream repository of shape $SHAPE in $T"
  LAST_TAG=$(python3 "$here/gen-repo.py" --shape "$SHAPE" "$T/work" "$PKG" "$SEED" | tail -n 1)
  TAGS=$(git -C "$T/work" tag | wc -l)
fi
git clone -q --bare "$T/work" "$T/srv/repos/$PKG.git"
git -C "$T/srv/repos/$PKG.git" gc -q # a served repository is packed (git gc on a bare repo also writes a bitmap)
UPSTREAM="$T/srv/repos/$PKG.git"
up_files=$(git -C "$UPSTREAM" ls-tree -r --name-only "$LAST_TAG" | wc -l)
up_tree_bytes=$(git -C "$UPSTREAM" ls-tree -r -l "$LAST_TAG" | awk '{ s += $4 } END { print s + 0 }')
up_commits=$(git -C "$UPSTREAM" rev-list --count --all)
up_objects=$(git -C "$UPSTREAM" count-objects -v | awk '$1 == "in-pack:" { print $2 }')
up_pack_kb=$(git -C "$UPSTREAM" count-objects -v | awk '$1 == "size-pack:" { print $2 }')
up_bitmap=$(compgen -G "$UPSTREAM/objects/pack/*.bitmap" >/dev/null && echo yes || echo no)
up_tree=$(git -C "$UPSTREAM" rev-parse "$LAST_TAG^{tree}")
log "upstream: $up_commits commits, $up_objects objects, pack ${up_pack_kb} KiB; $LAST_TAG has $up_files files, $up_tree_bytes bytes"

# --------------------------------------------------------------------- nginx + fcgiwrap + backend
# The backend's git processes are short-lived children of fcgiwrap, and fcgiwrap's cutime/cstime
# stay at zero (its children's times are not accumulated), so /proc shows only nginx's and
# fcgiwrap's own CPU. The git processes' CPU time and peak RSS are measured in a separate, untimed
# pass through /gitm/, whose script runs git-http-backend under a wrapper that logs getrusage.
cat >"$T/srv/backend-rusage" <<EOF
#!$(command -v python3)
import resource, subprocess, sys
rc = subprocess.call(["$HTTP_BACKEND"])
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open("$T/srv/backend-rusage.log", "a") as f:
    f.write(f"{r.ru_maxrss} {r.ru_utime:.4f} {r.ru_stime:.4f}\\n")
sys.exit(rc)
EOF
chmod 755 "$T/srv/backend-rusage"
mkdir -p "$T/srv/nginx-tmp"/{body,proxy,fastcgi,uwsgi,scgi}
chmod -R 777 "$T/srv/nginx-tmp"
chmod 755 "$T/srv"
NGINX_PORT=$(free_port)
cat >"$T/srv/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $T/srv/nginx.pid;
error_log $T/srv/nginx-error.log info;
events { worker_connections 256; }
http {
    access_log $T/srv/nginx-access.log;
    client_body_temp_path $T/srv/nginx-tmp/body;
    proxy_temp_path       $T/srv/nginx-tmp/proxy;
    fastcgi_temp_path     $T/srv/nginx-tmp/fastcgi;
    uwsgi_temp_path       $T/srv/nginx-tmp/uwsgi;
    scgi_temp_path        $T/srv/nginx-tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        client_max_body_size 0;
        location ~ ^/git(/.*)$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$T/srv/fcgiwrap.sock;
            fastcgi_param SCRIPT_FILENAME $HTTP_BACKEND;
            fastcgi_param PATH_INFO \$1;
            fastcgi_param GIT_PROJECT_ROOT $T/srv/repos;
            fastcgi_param GIT_HTTP_EXPORT_ALL 1;
            fastcgi_param GIT_PROTOCOL \$http_git_protocol;
            fastcgi_param REMOTE_USER \$remote_user;
        }
        location ~ ^/gitm(/.*)$ {
            include /etc/nginx/fastcgi_params;
            fastcgi_pass unix:$T/srv/fcgiwrap.sock;
            fastcgi_param SCRIPT_FILENAME $T/srv/backend-rusage;
            fastcgi_param PATH_INFO \$1;
            fastcgi_param GIT_PROJECT_ROOT $T/srv/repos;
            fastcgi_param GIT_HTTP_EXPORT_ALL 1;
            fastcgi_param GIT_PROTOCOL \$http_git_protocol;
            fastcgi_param REMOTE_USER \$remote_user;
        }
    }
}
EOF
fcgiwrap -s "unix:$T/srv/fcgiwrap.sock" -p "$HTTP_BACKEND" -p "$T/srv/backend-rusage" \
  >"$T/srv/fcgiwrap.log" 2>&1 &
FCGI_PID=$!
pids+=("$FCGI_PID")
for ((i = 0; i < 100; i++)); do [ -S "$T/srv/fcgiwrap.sock" ] && break; sleep 0.05; done
[ -S "$T/srv/fcgiwrap.sock" ] || die "fcgiwrap did not create its socket: $(cat "$T/srv/fcgiwrap.log")"
chmod 666 "$T/srv/fcgiwrap.sock"
nginx -c "$T/srv/nginx.conf" >"$T/srv/nginx.out" 2>&1 &
NGINX_PID=$!
pids+=("$NGINX_PID")
BACKEND="http://127.0.0.1:$NGINX_PORT/git/$PKG.git"
for ((i = 0; i < 200; i++)); do
  curl -sf -o /dev/null "$BACKEND/info/refs?service=git-upload-pack" && break
  kill -0 "$NGINX_PID" 2>/dev/null || die "nginx exited: $(cat "$T/srv/nginx.out" "$T/srv/nginx-error.log" 2>/dev/null)"
  sleep 0.05
done
curl -sf -o /dev/null "$BACKEND/info/refs?service=git-upload-pack" || die "git http-backend does not answer at $BACKEND"
NGINX_WORKERS=$(cat "/proc/$NGINX_PID/task/$NGINX_PID/children")
log "git http-backend at $BACKEND (nginx $NGINX_PID, workers $NGINX_WORKERS; fcgiwrap $FCGI_PID)"

# -------------------------------------------------------------------------------------- packbase
mkdir -p "$T/pb-root"
: >"$T/pb.out" # exists before java starts, so that the wait loop below can always read it
pb_start=$EPOCHREALTIME
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
PACKBASE_ROOT="$T/pb-root" PACKBASE_PORT=0 PACKBASE_HOST=127.0.0.1 PACKBASE_SEED=false \
  PACKBASE_ALLOW_FILE_URLS=true PACKBASE_ACCESS_LOG="$T/pb-access.log" \
  java $JAVA_OPTS -jar "$WAR" >"$T/pb.out" 2>"$T/pb.err" &
PB_PID=$!
pids+=("$PB_PID")
PB_URL=$(await_listening "$PB_PID" "$T/pb.out" "$T/pb.err")
pb_ready=$EPOCHREALTIME
log "packbase at $PB_URL (pid $PB_PID)"
ingest_start=$EPOCHREALTIME
ingest=$(curl -sS -X POST "$PB_URL/api/fetch" -d "{\"url\":\"file://$UPSTREAM\"}")
ingest_end=$EPOCHREALTIME
python3 - "$ingest" "$TAGS" <<'PY' || die "ingest failed: $ingest"
import json, sys
r = json.loads(sys.argv[1])
assert r.get("status") == "ok", r
assert r.get("tarball_count") == int(sys.argv[2]), r
PY
info=$(curl -sS "$PB_URL/api/info/$PKG")
# Through stdin: the info of a package with many tags is longer than an argument may be.
python3 -c 'import json,sys; i=json.load(sys.stdin); assert i.get("pseudo_git_fetchable") is True and i.get("healthy") is True, i' <<<"$info" \
  || die "packbase says the package is not fetchable over Git: $(head -c 2000 <<<"$info")"
pb_cpu_ingest=$(cpu_with_children "$PB_PID")
pb_hwm_ingest=$(status_kb "$PB_PID" VmHWM)
reset_hwm "$PB_PID"
python3 "$here/replay.py" "$PB_URL" "$T/floor.port" >"$T/floor.out" 2>&1 &
FLOOR_PID=$!
pids+=("$FLOOR_PID")
for ((i = 0; i < 200; i++)); do [ -s "$T/floor.port" ] && break; sleep 0.05; done
[ -s "$T/floor.port" ] || die "the replay server did not start: $(cat "$T/floor.out")"
FLOOR_URL="http://127.0.0.1:$(cat "$T/floor.port")"
log "floor (replay of packbase's answers) at $FLOOR_URL (pid $FLOOR_PID)"
log "ingested $TAGS tags in $(python3 -c "print(round($ingest_end - $ingest_start, 2))") s"

# ---------------------------------------------------------------------------------- measurements
PB_GIT="$PB_URL/$PKG"
TIMES="$T/times.tsv"
RES="$T/resources.tsv"
CHECKS="$T/checks.tsv"
: >"$TIMES"; : >"$RES"; : >"$CHECKS"

url_for() { # $1 measure, $2 server, $3 base path prefix for the backend (git or gitm)
  local base
  case $2 in
    packbase) base=$PB_GIT ;;
    floor) base="$FLOOR_URL/$PKG" ;;
    *) base="http://127.0.0.1:$NGINX_PORT/${3:-git}/$PKG.git" ;;
  esac
  if [ "$1" = zig ]; then echo "git+$base#$LAST_TAG"; else echo "$base"; fi
}

# One client run in a fresh directory; prints the elapsed microseconds. Output, checks and
# clean-up happen outside the timed interval.
run_once() { # $1 measure, $2 server, $3 url, $4 record(0/1)
  local m=$1 s=$2 url=$3 d t0 t1 rc=0
  d=$(mktemp -d "$T/run.XXXXXX")
  case $m in
    zig)
      cd "$d"
      t0=$EPOCHREALTIME
      ZIG_GLOBAL_CACHE_DIR="$d/zig-global" ZIG_LOCAL_CACHE_DIR="$d/zig-local" "$ZIG" fetch "$url" >"$d/out" 2>"$d/err" || rc=$?
      t1=$EPOCHREALTIME
      cd "$T" ;;
    depth1)
      t0=$EPOCHREALTIME
      git clone -q --depth 1 --branch "$LAST_TAG" "$url" "$d/clone" >"$d/out" 2>"$d/err" || rc=$?
      t1=$EPOCHREALTIME ;;
    full)
      t0=$EPOCHREALTIME
      git clone -q "$url" "$d/clone" >"$d/out" 2>"$d/err" || rc=$?
      t1=$EPOCHREALTIME ;;
  esac
  [ "$rc" = 0 ] || die "$m against $s failed ($url): $(cat "$d/err")"
  if [ "$4" = 1 ]; then
    printf '%s\t%s\t%s\n' "$m" "$s" $((${t1/./} - ${t0/./})) >>"$TIMES"
    if [ "$m" = zig ]; then
      printf '%s\t%s\thash\t%s\n' "$m" "$s" "$(tail -n 1 "$d/out")" >>"$CHECKS"
    else
      local objs pack tree commits files
      objs=$(git -C "$d/clone" count-objects -v | awk '$1 == "in-pack:" { print $2 }')
      pack=$(git -C "$d/clone" count-objects -v | awk '$1 == "size-pack:" { print $2 }')
      tree=$(git -C "$d/clone" rev-parse "$LAST_TAG^{tree}")
      commits=$(git -C "$d/clone" rev-list --count --all)
      files=$(git -C "$d/clone" ls-files | wc -l)
      printf '%s\t%s\tclone\t%s %s %s %s %s\n' "$m" "$s" "$objs" "$pack" "$tree" "$commits" "$files" >>"$CHECKS"
      [ "$(git -C "$d/clone" rev-parse 'HEAD^{tree}')" = "$up_tree" ] \
        || die "$m against $s: the clone did not check out $LAST_TAG's tree: $(cat "$d/err")"
    fi
  fi
  rm -rf "$d"
}

backend_cpu() { # nginx master + workers + fcgiwrap (with cutime, which stays ~0), in ticks
  local sum w
  sum=$(( $(cpu_self "$NGINX_PID") + $(cpu_with_children "$FCGI_PID") ))
  for w in $NGINX_WORKERS; do sum=$((sum + $(cpu_self "$w"))); done
  echo "$sum"
}
backend_hwm() { # the largest VmHWM among the long-lived nginx and fcgiwrap processes
  local m=0 w v
  for w in "$NGINX_PID" $NGINX_WORKERS "$FCGI_PID"; do v=$(status_kb "$w" VmHWM); [ "$v" -gt "$m" ] && m=$v; done
  echo "$m"
}
marker() { # a request both access logs record, to cut them into phases afterwards
  curl -s -o /dev/null "$PB_URL/bench-marker-$1" || true
  curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/bench-marker-$1" || true
}

pb_cpu_serve0=$(cpu_with_children "$PB_PID")
be_cpu_serve0=$(backend_cpu)
bench_start=$EPOCHREALTIME
loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)
for m in $MEASURES; do
  log "measure $m: $WARMUP warm-ups and $RUNS timed runs per server"
  for ((i = 0; i < WARMUP + RUNS; i++)); do
    if [ "$i" = "$WARMUP" ]; then
      marker "$m-start"
      pb_c0=$(cpu_with_children "$PB_PID"); be_c0=$(backend_cpu)
      reset_hwm "$PB_PID"
    fi
    rec=$((i >= WARMUP ? 1 : 0))
    # The floor records packbase's answers on its first run (a warm-up), and replays them after.
    case $((i % 3)) in 0) order="packbase backend floor" ;; 1) order="backend floor packbase" ;; *) order="floor packbase backend" ;; esac
    for s in $order; do run_once "$m" "$s" "$(url_for "$m" "$s")" "$rec"; done
  done
  pb_c1=$(cpu_with_children "$PB_PID"); be_c1=$(backend_cpu)
  marker "$m-end"
  printf '%s\tpackbase\tcpu_ticks\t%s\n' "$m" $((pb_c1 - pb_c0)) >>"$RES"
  printf '%s\tbackend\tcpu_ticks\t%s\n' "$m" $((be_c1 - be_c0)) >>"$RES"
  printf '%s\tpackbase\thwm_kb\t%s\n' "$m" "$(status_kb "$PB_PID" VmHWM)" >>"$RES"
done
bench_end=$EPOCHREALTIME
loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Untimed pass through the rusage wrapper, for the git processes' CPU time and peak RSS.
for m in $MEASURES; do
  : >"$T/srv/backend-rusage.log"
  for ((i = 0; i < RUSAGE_RUNS; i++)); do run_once "$m" backend "$(url_for "$m" backend gitm)" 0; done
  awk -v m="$m" -v n="$RUSAGE_RUNS" '{ if ($1 > x) x = $1; u += $2 + $3 }
    END { printf "%s\tbackend\tgit_maxrss_kb\t%d\n%s\tbackend\tgit_cpu_s\t%.4f\n", m, x, m, (n ? u / n : 0) }' \
    "$T/srv/backend-rusage.log" >>"$RES"
done

pb_cpu_serve1=$(cpu_with_children "$PB_PID")
be_cpu_serve1=$(backend_cpu)
pb_hwm_end=$(status_kb "$PB_PID" VmHWM)
pb_rss_end=$(status_kb "$PB_PID" VmRSS)
be_hwm_end=$(backend_hwm)
pb_threads=$(status_kb "$PB_PID" Threads)

# Stop the servers (graceful) so that the access logs are complete, then report.
stop_gracefully "$PB_PID" "$NGINX_PID" "$FCGI_PID" "$FLOOR_PID"

# ----------------------------------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/git-fetch-$(date -u +%Y-%m-%d).md"
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
war_rev=$(war_revision)
export R_TIMES="$TIMES" R_RES="$RES" R_CHECKS="$CHECKS" R_PB_LOG="$T/pb-access.log" R_NG_LOG="$T/srv/nginx-access.log" \
  R_MEASURES="$MEASURES" R_RUNS="$RUNS" R_WARMUP="$WARMUP" R_CLK="$CLK_TCK" R_PKG="$PKG" R_LAST_TAG="$LAST_TAG" \
  R_TAGS="$TAGS" R_FILES="$up_files" R_TREE_BYTES="$up_tree_bytes" R_COMMITS="$up_commits" R_OBJECTS="$up_objects" \
  R_PACK_KB="$up_pack_kb" R_BITMAP="$up_bitmap" R_UP_TREE="$up_tree" R_SEED="$SEED" R_FILE_KB="$FILE_KB" \
  R_CHURN="$CHURN" R_CPT="$COMMITS_PER_TAG" R_RUSAGE_RUNS="$RUSAGE_RUNS" R_SHAPE="$SHAPE" R_SUMMARY="$SUMMARY_FILE" \
  R_PB_START="$pb_start" R_PB_READY="$pb_ready" R_INGEST_START="$ingest_start" R_INGEST_END="$ingest_end" \
  R_PB_CPU_INGEST="$pb_cpu_ingest" R_PB_HWM_INGEST="$pb_hwm_ingest" \
  R_PB_CPU_SERVE="$((pb_cpu_serve1 - pb_cpu_serve0))" R_BE_CPU_SERVE="$((be_cpu_serve1 - be_cpu_serve0))" \
  R_PB_HWM_END="$pb_hwm_end" R_PB_RSS_END="$pb_rss_end" R_BE_HWM_END="$be_hwm_end" R_PB_THREADS="$pb_threads" \
  R_BENCH_S="$(python3 -c "print(round($bench_end - $bench_start, 1))")" R_LOAD0="$loadavg_start" R_LOAD1="$loadavg_end" \
  R_NPROC="$(nproc)" R_CPU="$cpu_model" R_KERNEL="$(uname -r)" R_MEM="$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
  R_JAVA="$(java -version 2>&1 | tr '\n' ' ')" R_GIT="$(git --version)" R_ZIG="$("$ZIG" version)" \
  R_NGINX="$(nginx -v 2>&1)" R_FCGI="$(fcgiwrap -h 2>&1 | awk '/version/ { print $3 }')" R_JAVA_OPTS="$JAVA_OPTS" \
  R_WAR="$WAR" R_WAR_SHA="$(sha256sum "$WAR" | cut -c1-16)" R_WAR_COMMIT="$war_rev" R_TMP="$TMPBASE" \
  R_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"
python3 - >"$T/report.md" <<'PY'
import os, re, statistics
E = os.environ
measures = E["R_MEASURES"].split()
servers = ["packbase", "backend"]
clk = int(E["R_CLK"])
runs = int(E["R_RUNS"])
times = {}
for line in open(E["R_TIMES"]):
    m, s, us = line.split("\t")
    times.setdefault((m, s), []).append(int(us) / 1e6)
res = {}
for line in open(E["R_RES"]):
    m, s, k, v = line.rstrip("\n").split("\t")
    res[(m, s, k)] = float(v)
checks = {}
for line in open(E["R_CHECKS"]):
    m, s, k, v = line.rstrip("\n").split("\t")
    checks.setdefault((m, s, k), set()).add(v)

def pct(xs, p):  # linear interpolation between closest ranks (numpy's default)
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

LINE = re.compile(r'"(\S+) (\S+)[^"]*" (\d{3}) (\d+|-)')
def phases(path):
    out, cur = {}, None
    for line in open(path, errors="replace"):
        g = LINE.search(line)
        if not g:
            continue
        uri = g.group(2)
        mk = re.search(r"/bench-marker-(\w+)-(start|end)$", uri)
        if mk:
            cur = mk.group(1) if mk.group(2) == "start" else None
            continue
        if cur:
            req, byt = out.get(cur, (0, 0))
            out[cur] = (req + 1, byt + (0 if g.group(4) == "-" else int(g.group(4))))
    return out
traffic = {"packbase": phases(E["R_PB_LOG"]), "backend": phases(E["R_NG_LOG"])}

NAMES = {"zig": f"(a) `zig fetch git+http://…#{E['R_LAST_TAG']}`",
         "depth1": f"(b) `git clone --depth 1 --branch {E['R_LAST_TAG']}`",
         "full": "(c) `git clone` (full)"}
ms = lambda x: f"{x * 1000:.0f} ms"
o = []
p = o.append
p(f"# Git fetch benchmark: packbase vs git http-backend ({E['R_DATE']})\n")
p(f"Same package `{E['R_PKG']}` from both servers, on one machine, in one run; {runs} timed runs per cell after "
  f"{E['R_WARMUP']} warm-up{'' if E['R_WARMUP'] == '1' else 's'}, the two servers alternating run by run. Wall time of the client command; "
  f"ratio = packbase / backend (below 1: packbase is faster).\n")
p("| measure | packbase median | packbase p90 | backend median | backend p90 | ratio median | ratio p90 | floor median | floor p90 |")
p("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
summary = []
for m in measures:
    a, b, f = times[(m, "packbase")], times[(m, "backend")], times[(m, "floor")]
    ma, mb, pa, pb = statistics.median(a), statistics.median(b), pct(a, 90), pct(b, 90)
    p(f"| {NAMES[m]} | {ms(ma)} | {ms(pa)} | {ms(mb)} | {ms(pb)} | **{ma / mb:.2f}** | {pa / pb:.2f} | "
      f"{ms(statistics.median(f))} | {ms(pct(f, 90))} |")
    summary.append((m, ma, mb, statistics.median(f)))
p("")
p("The floor is the same client against bench/replay.py, which answers every request with packbase's answer "
  "recorded during the warm-ups, from memory: what is left when the server costs nothing (the client's own work, "
  "its process start, loopback transfer and Python's small per-request overhead).\n")
p("What each side sends (per run; HTTP requests and response body bytes from the servers' access logs; "
  "objects and pack size from `git count-objects -v` in the clone):\n")
p("| measure | server | HTTP requests | response bytes | objects received | pack in clone | commits in clone | files checked out |")
p("|---|---|---:|---:|---:|---:|---:|---:|")
for m in measures:
    for s in servers:
        req, byt = traffic[s].get(m, (0, 0))
        objs = pack = commits = files = "–"
        c = checks.get((m, s, "clone"))
        if c:
            v = sorted(c)[-1].split()
            objs, pack, commits, files = v[0], f"{int(v[1])} KiB", v[3], v[4]
        p(f"| {m} | {s} | {req / runs:g} | {byt / runs / 1024:,.0f} KiB | {objs} | {pack} | {commits} | {files} |")
p("")
p("Server resources per client run (CPU = user + system):\n")
p("| measure | packbase JVM CPU | packbase JVM peak RSS | backend git CPU | backend nginx + fcgiwrap CPU | backend git peak RSS |")
p("|---|---:|---:|---:|---:|---:|")
for m in measures:
    pc = res.get((m, "packbase", "cpu_ticks"), 0) / clk / runs
    bc = res.get((m, "backend", "cpu_ticks"), 0) / clk / runs
    gc = res.get((m, "backend", "git_cpu_s"), 0)
    ph = res.get((m, "packbase", "hwm_kb"), 0) / 1024
    gh = res.get((m, "backend", "git_maxrss_kb"), 0) / 1024
    p(f"| {m} | {ms(pc)} | {ph:.0f} MiB | {ms(gc)} | {ms(bc)} | {gh:.0f} MiB |")
p("")
if E.get("R_SUMMARY"):
    with open(E["R_SUMMARY"], "a") as out:
        for m, ma, mb, mf in summary:
            pc = res.get((m, "packbase", "cpu_ticks"), 0) / clk / runs
            gc = res.get((m, "backend", "git_cpu_s"), 0)
            out.write("\t".join(str(x) for x in (E["R_SHAPE"], E["R_FILES"], int(E["R_TREE_BYTES"]) / 1048576, E["R_TAGS"],
                      E["R_COMMITS"], m, ma * 1000, mb * 1000, mf * 1000, pc * 1000, gc * 1000,
                      f"{E['R_LOAD0'].split()[0]} → {E['R_LOAD1'].split()[0]}")) + "\n")
hashes = {s: checks.get(("zig", s, "hash"), set()) for s in servers + ["floor"]}
trees = {(m, s): {v.split()[2] for v in checks.get((m, s, "clone"), set())} for m in ("depth1", "full") for s in servers}
notes = []
if "zig" in measures:
    hp, hb = hashes["packbase"], hashes["backend"]
    same = len(hp) == 1 and hp == hb == hashes["floor"]
    notes.append(f"zig fetch printed {'the same hash on every run from all three servers' if same else 'DIFFERENT hashes'}: "
                 f"`{', '.join(sorted(hp | hb))}`.")
for m in ("depth1", "full"):
    if m in measures:
        t = trees[(m, "packbase")] | trees[(m, "backend")]
        notes.append(f"{m}: the checked-out {E['R_LAST_TAG']} tree is "
                     f"{'identical on both sides' if t == {E['R_UP_TREE']} else 'NOT identical: ' + ', '.join(sorted(t))}"
                     f" (`{E['R_UP_TREE'][:12]}`).")
if "full" in measures:
    notes.append("(c) moves different amounts of data: packbase serves one parentless commit per tag (its tree, "
                 "no history), the upstream serves every commit of the history. Compare the object counts above; the "
                 "ratio is not like for like.")
p("Checks and notes:\n")
for n in notes:
    p(f"- {n}")
p(f"- packbase JVM CPU: utime + stime from /proc/<pid>/stat around the timed runs, divided by the runs. "
  f"Backend nginx + fcgiwrap CPU: the same for the nginx master and worker and fcgiwrap (they peaked at "
  f"{int(E['R_BE_HWM_END']) / 1024:.0f} MiB RSS). fcgiwrap does not accumulate its children's times, so the git "
  f"processes (`git http-backend`, `upload-pack`, `pack-objects`) are measured apart: backend git CPU (mean) and "
  f"peak RSS (largest `ru_maxrss` of one request's git process tree) come from {E['R_RUSAGE_RUNS']} extra untimed "
  f"runs per measure through a getrusage wrapper around `git http-backend`.")
p(f"- packbase JVM peak RSS per measure is VmHWM, reset (`clear_refs` 5) before the measure's timed runs. "
  f"Over its life: startup {float(E['R_PB_READY']) - float(E['R_PB_START']):.1f} s to the listening line; ingest of "
  f"{E['R_TAGS']} tags {float(E['R_INGEST_END']) - float(E['R_INGEST_START']):.2f} s; CPU {int(E['R_PB_CPU_INGEST']) / clk:.1f} s "
  f"for startup + ingest, peak RSS {int(E['R_PB_HWM_INGEST']) / 1024:.0f} MiB by then; "
  f"{int(E['R_PB_CPU_SERVE']) / clk:.1f} s CPU serving all runs (backend: {int(E['R_BE_CPU_SERVE']) / clk:.1f} s); "
  f"RSS at the end {int(E['R_PB_RSS_END']) / 1024:.0f} MiB, {E['R_PB_THREADS']} threads.")
p(f"- Both servers and every client directory (clones, fresh `ZIG_GLOBAL_CACHE_DIR` per zig run) were under "
  f"`{E['R_TMP']}`. All traffic on 127.0.0.1. Both servers wrote an access log. The timed runs took "
  f"{E['R_BENCH_S']} s; load average {E['R_LOAD0']} before, {E['R_LOAD1']} after.")
p("")
p("Package and servers:\n")
shape = (f"shape `{E['R_SHAPE']}` of bench/gen-repo.py" if E["R_SHAPE"] != "custom" else
         f"mean text file {E['R_FILE_KB']} KiB, churn {E['R_CHURN']} of the text files per commit, {E['R_CPT']} commits per release")
p(f"- Upstream: generated (seed {E['R_SEED']}), {E['R_COMMITS']} commits, {E['R_TAGS']} annotated "
  f"tags v1.0.0 … {E['R_LAST_TAG']}; {E['R_LAST_TAG']} has {E['R_FILES']} files, {int(E['R_TREE_BYTES']) / 1048576:.1f} MiB "
  f"({shape}). The served bare repository is `git gc`-ed: {E['R_OBJECTS']} objects in one pack of {E['R_PACK_KB']} KiB, "
  f"bitmap: {E['R_BITMAP']}.")
p(f"- packbase: `java {E['R_JAVA_OPTS'] + ' ' if E['R_JAVA_OPTS'] else ''}-jar packbase.war` (standalone, embedded "
  f"Jetty, default JVM options), WAR sha256 {E['R_WAR_SHA']}…, built from {E['R_WAR_COMMIT']}; URLs "
  f"`git+http://127.0.0.1:<port>/{E['R_PKG']}` (zig) and `http://127.0.0.1:<port>/{E['R_PKG']}` (git).")
p(f"- backend: nginx (1 worker) + fcgiwrap {E['R_FCGI']} (1 process) + `git http-backend`, config of "
  f"notes/infra.md §6 with `GIT_PROTOCOL $http_git_protocol` (protocol v2); URL "
  f"`http://127.0.0.1:<port>/git/{E['R_PKG']}.git`.")
p("")
p("Machine:\n")
p(f"- {E['R_NPROC']} CPUs, {E['R_CPU']}, {int(E['R_MEM']) // 1024} MiB RAM, Linux {E['R_KERNEL']}")
p(f"- {E['R_JAVA'].strip()}")
p(f"- {E['R_GIT']}; zig {E['R_ZIG']}; {E['R_NGINX']}; fcgiwrap {E['R_FCGI']}")
print("\n".join(o))
PY
cp "$T/report.md" "$REPORT"
cat "$REPORT"
log "report written to $REPORT"
