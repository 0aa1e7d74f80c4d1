#!/usr/bin/env bash
# Ingest benchmark: `POST /api/fetch` of a repository with many tags, against what a script would do
# to get the same tarballs with plain git: `git clone --bare` and one `git archive --format=tar.gz`
# per tag. Both read the same generated upstream over file:// (git through its upload-pack, packbase
# through JGit), on one machine, in one run, alternating run by run. Also times a repeated fetch with
# no new tags (target: under 1 s) and a fetch after one new upstream tag.
#
# packbase runs once (java -jar, temporary root, file: URLs allowed); every timed fetch ingests the
# upstream from scratch under a new package name, so the JVM is warm but nothing is reused. Its time
# includes everything an ingest does: tarballs, manifests, Zig package hashes, the derived Git data
# and the Git self-check. Target (issue #8): packbase / git at most 1.0.
#
# Writes a Markdown report to stdout and to bench/results/ingest-<UTC date>.md.
#
# Environment (all optional):
#   BENCH_RUNS=5  BENCH_WARMUP=1            timed runs and warm-ups per side
#   BENCH_FILES=300  BENCH_TAGS=50          files at the last tag; tags v1.0.0 … v1.<TAGS-1>.0
#   BENCH_COMMITS_PER_TAG=3  BENCH_FILE_KB=10  BENCH_CHURN=0.04  BENCH_SEED=1   generator (bench/gen-repo.py)
#   BENCH_PKG=benchlib                      package name prefix
#   BENCH_WAR=<repo>/target/packbase.war    the WAR to run
#   BENCH_JAVA_OPTS=""                      extra JVM options (e.g. a JFR recording)
#   BENCH_TMPDIR=/dev/shm (else $TMPDIR or /tmp)  where every temporary file goes
#   BENCH_RESULTS_DIR=<repo>/bench/results  where the report is written
#   BENCH_KEEP=0                            1 keeps the temporary directory
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/.." && pwd)

RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
FILES=${BENCH_FILES:-300}
TAGS=${BENCH_TAGS:-50}
COMMITS_PER_TAG=${BENCH_COMMITS_PER_TAG:-3}
FILE_KB=${BENCH_FILE_KB:-10}
CHURN=${BENCH_CHURN:-0.04}
SEED=${BENCH_SEED:-1}
PKG=${BENCH_PKG:-benchlib}
WAR=${BENCH_WAR:-$repo_root/target/packbase.war}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$repo_root/bench/results}
KEEP=${BENCH_KEEP:-0}

log() { printf 'ingest: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

for v in RUNS WARMUP FILES TAGS COMMITS_PER_TAG FILE_KB SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a non-negative integer, got '${!v}'"
done
[ "$RUNS" -ge 1 ] && [ "$TAGS" -ge 2 ] && [ "$FILES" -ge 20 ] || die "need BENCH_RUNS>=1, BENCH_TAGS>=2, BENCH_FILES>=20"
[[ $PKG =~ ^[a-z][a-z0-9_]*$ ]] || die "BENCH_PKG must be a Zig identifier in lower case, got '$PKG'"
for tool in java git python3 curl; do
  command -v "$tool" >/dev/null || die "$tool not found (tools/install-test-deps.sh installs the test tools)"
done
[ -f "$WAR" ] || die "WAR not found at $WAR (build it with ./mvnw -B -q package -DskipTests, or set BENCH_WAR)"
CLK_TCK=$(getconf CLK_TCK)

# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_setup packbase-ingest

log "generating the upstream repository ($FILES files, $TAGS tags, $COMMITS_PER_TAG commits per tag) in $T"
python3 "$here/gen-repo.py" "$T/work" "$PKG" "$FILES" "$TAGS" "$COMMITS_PER_TAG" "$FILE_KB" "$CHURN" "$SEED"
# The newest tag is held back: the "one new tag" measure adds it later.
LAST_TAG="v1.$((TAGS - 1)).0"
git -C "$T/work" tag -d "$LAST_TAG" >/dev/null
git clone -q --bare "$T/work" "$T/upstream.git"
git -C "$T/upstream.git" gc -q
UPSTREAM="file://$T/upstream.git"
up_objects=$(git -C "$T/upstream.git" count-objects -v | awk '$1 == "in-pack:" { print $2 }')
up_pack_kb=$(git -C "$T/upstream.git" count-objects -v | awk '$1 == "size-pack:" { print $2 }')
ntags=$(git -C "$T/upstream.git" tag | wc -l)
log "upstream: $ntags tags, $up_objects objects, pack $up_pack_kb KiB"

# ------------------------------------------------------------------------------------- packbase
mkdir -p "$T/root"
# shellcheck disable=SC2086
PACKBASE_ROOT="$T/root" PACKBASE_PORT=0 PACKBASE_HOST=127.0.0.1 PACKBASE_SEED=false PACKBASE_ALLOW_FILE_URLS=true \
  java $JAVA_OPTS -jar "$WAR" >"$T/pb.out" 2>"$T/pb.err" &
PB_PID=$!
pids+=("$PB_PID")
PB_URL=$(await_listening "$PB_PID" "$T/pb.out" "$T/pb.err")
log "packbase at $PB_URL (pid $PB_PID)"

# A python driver times each side and reads git's CPU and peak RSS through getrusage.
cat >"$T/drive.py" <<'PY'
import json, os, resource, subprocess, sys, time, urllib.request

def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    t = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=3600) as r:
            out, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        out, status = e.read(), e.code
    return time.monotonic() - t, status, json.loads(out or b"{}")

def git_side(upstream, dest, tags, pkg):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    subprocess.run(["git", "clone", "-q", "--bare", "--no-local", upstream, dest + "/repo.git"], check=True)
    os.makedirs(dest + "/out")
    for tag in tags:
        with open(f"{dest}/out/{tag}.tar.gz", "wb") as f:
            subprocess.run(["git", "-C", dest + "/repo.git", "archive", "--format=tar.gz", f"--prefix={pkg}-{tag}/", tag],
                           check=True, stdout=f)
    wall = time.monotonic() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss

mode = sys.argv[1]
if mode == "git":
    upstream, dest, pkg = sys.argv[2], sys.argv[3], sys.argv[4]
    tags = subprocess.run(["git", "ls-remote", "--tags", "--refs", upstream], check=True, capture_output=True,
                          text=True).stdout.split()
    tags = [t[len("refs/tags/"):] for t in tags if t.startswith("refs/tags/")]
    wall, cpu, rss = git_side(upstream, dest, tags, pkg)
    print(f"{wall:.4f} {cpu:.4f} {rss} {len(tags)}")
else:
    base, upstream, name = sys.argv[2], sys.argv[3], sys.argv[4]
    wall, status, body = post(base + "/api/fetch", {"url": upstream, "name": name})
    if status != 200:
        sys.exit(f"fetch {name}: {status} {body}")
    print(f"{wall:.4f} {body.get('tarballs_created', 0)} {body.get('tarball_count', 0)}")
PY

pb_cpu() { cpu_self "$PB_PID"; }
: >"$T/runs.tsv"
run=0
total=$((WARMUP + RUNS))
for ((i = 0; i < total; i++)); do
  record=$([ "$i" -ge "$WARMUP" ] && echo 1 || echo 0)
  for side in $([ $((i % 2)) = 0 ] && echo "packbase git" || echo "git packbase"); do
    if [ "$side" = packbase ]; then
      run=$((run + 1))
      c0=$(pb_cpu)
      read -r wall created count < <(python3 "$T/drive.py" pb "$PB_URL" "$UPSTREAM" "${PKG}_$run")
      c1=$(pb_cpu)
      [ "$created" = "$count" ] && [ "$created" = "$ntags" ] || die "packbase created $created of $ntags tarballs"
      cpu=$(awk -v a="$c0" -v b="$c1" -v t="$CLK_TCK" 'BEGIN { printf "%.4f", (b - a) / t }')
      [ "$record" = 1 ] && printf 'full\tpackbase\t%s\t%s\n' "$wall" "$cpu" >>"$T/runs.tsv"
    else
      d=$(mktemp -d "$T/git.XXXXXX")
      read -r wall cpu rss n < <(python3 "$T/drive.py" git "$UPSTREAM" "$d" "$PKG")
      [ "$n" = "$ntags" ] || die "git archived $n of $ntags tags"
      [ "$record" = 1 ] && printf 'full\tgit\t%s\t%s\t%s\n' "$wall" "$cpu" "$rss" >>"$T/runs.tsv"
      rm -rf "$d"
    fi
  done
  log "round $((i + 1))/$total done"
done
PB_HWM_KB=$(status_kb "$PB_PID" VmHWM)

# The same package again: nothing new upstream.
for ((i = 0; i < RUNS; i++)); do
  read -r wall created _ < <(python3 "$T/drive.py" pb "$PB_URL" "$UPSTREAM" "${PKG}_1")
  [ "$created" = 0 ] || die "a repeated fetch created $created tarballs"
  printf 'again\tpackbase\t%s\t\n' "$wall" >>"$T/runs.tsv"
done
# One new tag upstream, then a fetch of a package that has all the others (one package per run).
git -C "$T/work" -c user.name="Bench Committer" -c user.email=committer@example.invalid \
  tag -a "$LAST_TAG" -m "$PKG $LAST_TAG" "$(git -C "$T/work" rev-parse main)"
git -C "$T/work" push -q "$T/upstream.git" "refs/tags/$LAST_TAG"
for ((i = 1; i <= RUNS; i++)); do
  read -r wall created _ < <(python3 "$T/drive.py" pb "$PB_URL" "$UPSTREAM" "${PKG}_$((WARMUP + i))")
  [ "$created" = 1 ] || die "a fetch after one new tag created $created tarballs"
  printf 'newtag\tpackbase\t%s\t\n' "$wall" >>"$T/runs.tsv"
done

# ---------------------------------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/ingest-$(date -u +%F).md"
python3 - "$T/runs.tsv" "$ntags" "$up_objects" "$up_pack_kb" "$FILES" "$COMMITS_PER_TAG" "$PB_HWM_KB" \
  "$(uptime | sed 's/.*load average: //')" "$(nproc)" >"$out" <<'PY'
import statistics, sys, time
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
ntags, objects, pack_kb, files, per_tag, hwm_kb, load, cores = sys.argv[2:10]
def col(measure, side, i):
    return [float(r[i]) for r in rows if r[0] == measure and r[1] == side and len(r) > i and r[i]]
def med(v): return statistics.median(v) if v else float("nan")
def p90(v):
    if not v: return float("nan")
    v = sorted(v); k = (len(v) - 1) * 0.9; f = int(k); c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)
pw, gw = col("full", "packbase", 2), col("full", "git", 2)
pc, gc = col("full", "packbase", 3), col("full", "git", 3)
grss = [float(r[4]) for r in rows if r[0] == "full" and r[1] == "git" and len(r) > 4 and r[4]]
again, newtag = col("again", "packbase", 2), col("newtag", "packbase", 2)
ratio = med(pw) / med(gw)
print(f"# Ingest benchmark: packbase vs git clone + git archive ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
print(f"Upstream: {ntags} annotated tags, {files} files at the last tag, {per_tag} commits per tag, "
      f"{objects} objects, pack {pack_kb} KiB (bench/gen-repo.py). {cores} cores; load average before the report: {load}.\n")
print("| measure | packbase median | packbase p90 | git median | git p90 | **ratio** (≤ 1.0) | packbase JVM CPU | git CPU |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
print(f"| all {ntags} tags from scratch | {med(pw):.2f} s | {p90(pw):.2f} s | {med(gw):.2f} s | {p90(gw):.2f} s | "
      f"**{ratio:.2f}** | {med(pc):.2f} s | {med(gc):.2f} s |\n")
print("| measure | packbase median | packbase p90 | target |\n|---|---:|---:|---|")
print(f"| repeated fetch, no new tags | {med(again)*1000:.0f} ms | {p90(again)*1000:.0f} ms | < 1 s: "
      f"{'met' if med(again) < 1 else 'missed'} |")
print(f"| fetch after 1 new upstream tag | {med(newtag)*1000:.0f} ms | {p90(newtag)*1000:.0f} ms | – |\n")
print(f"packbase JVM peak RSS (VmHWM) over the whole run: {int(hwm_kb) // 1024} MiB; git's largest process: "
      f"{int(max(grss)) // 1024 if grss else 0} MiB.\n")
print(f"Target ratio ≤ 1.0: **{'met' if ratio <= 1.0 else 'missed'}**. N = {len(pw)} timed runs per side, "
      "alternating; git = `git clone --bare --no-local` + `git archive --format=tar.gz` per tag; packbase = one "
      "`POST /api/fetch` (tarballs, manifests, Zig hashes, derived Git data, Git self-check).")
PY
cat "$out"
log "report written to $out"
