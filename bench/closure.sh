#!/usr/bin/env bash
# Closure benchmark: `POST /api/closure` of a dependency tree of BENCH_NODES packages (each a
# generated repository with real-looking Zig sources and history, whose release v2.0.0 declares its
# dependencies in build.zig.zon: a tree with diamonds), against what a script would do with plain
# git to get the same tarballs: `git clone --bare` of every repository and one `git archive
# --format=tar.gz` of each pinned tag. The dependency URLs are the ones a real project has
# (`git+https://github.com/bench/<pkg>#v2.0.0`); PACKBASE_UPSTREAM_REWRITES points them at the local
# bare repositories, which git reads over file:// too. One machine, one run, sides alternating.
#
# packbase's time includes everything a closure does per node: listing upstream tags, the shallow
# fetch, tarball, manifest, Zig hash, derived Git data and the Git self-check, plus reading each
# node's build.zig.zon for the next level. Every packbase run gets a new root and a new JVM (a held
# package would make the next run trivial); the JVM's start is not timed, its warm-up is.
#
# Writes a Markdown report to stdout and to bench/results/closure-<UTC date>.md.
#
# Environment (all optional):
#   BENCH_RUNS=3  BENCH_NODES=20                 timed runs per side; packages in the tree
#   BENCH_FILES=150  BENCH_TAGS=3  BENCH_COMMITS_PER_TAG=2  BENCH_FILE_KB=8  BENCH_SEED=1   generator
#   BENCH_WAR=<repo>/target/packbase.war  BENCH_JAVA_OPTS=""  BENCH_TMPDIR  BENCH_RESULTS_DIR  BENCH_KEEP=0
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$here/.." && pwd)
RUNS=${BENCH_RUNS:-3}
NODES=${BENCH_NODES:-20}
FILES=${BENCH_FILES:-150}
TAGS=${BENCH_TAGS:-3}
COMMITS_PER_TAG=${BENCH_COMMITS_PER_TAG:-2}
FILE_KB=${BENCH_FILE_KB:-8}
SEED=${BENCH_SEED:-1}
WAR=${BENCH_WAR:-$repo_root/target/packbase.war}
JAVA_OPTS=${BENCH_JAVA_OPTS:-}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$repo_root/bench/results}
KEEP=${BENCH_KEEP:-0}

log() { printf 'closure: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
for v in RUNS NODES FILES TAGS COMMITS_PER_TAG FILE_KB SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_$v must be a non-negative integer, got '${!v}'"
done
[ "$RUNS" -ge 1 ] && [ "$NODES" -ge 2 ] || die "need BENCH_RUNS>=1 and BENCH_NODES>=2"
for tool in java git python3 curl; do command -v "$tool" >/dev/null || die "$tool not found"; done
[ -f "$WAR" ] || die "WAR not found at $WAR (build it with ./mvnw -B -q package -DskipTests, or set BENCH_WAR)"
CLK_TCK=$(getconf CLK_TCK)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
bench_setup packbase-closure

# ----------------------------------------------------------------------------- the dependency tree
# Package i depends on 2i+1 and 2i+2 (a binary tree) and every third one also on the last package
# (diamonds). Dependencies carry no .hash: the benchmark measures mirroring, not a fixture's hashes.
deps_of() {
  local i=$1 j out=()
  for j in $((2 * i + 1)) $((2 * i + 2)); do [ "$j" -lt "$NODES" ] && out+=("$j"); done
  if [ $((i % 3)) = 0 ] && [ "$i" -lt $((NODES - 1)) ] && [[ ! " ${out[*]} " =~ " $((NODES - 1)) " ]]; then
    out+=("$((NODES - 1))")
  fi
  echo "${out[@]}"
}
mkdir -p "$T/repos"
log "generating $NODES repositories ($FILES files, $TAGS releases of $COMMITS_PER_TAG commits, then v2.0.0) in $T"
for ((i = 0; i < NODES; i++)); do
  pkg="bench$i"
  python3 "$here/gen-repo.py" "$T/work/$pkg" "$pkg" "$FILES" "$TAGS" "$COMMITS_PER_TAG" "$FILE_KB" 0.04 $((SEED * 1000 + i)) >/dev/null
  lines=""
  for j in $(deps_of "$i"); do
    lines+="        .bench$j = .{ .url = \"git+https://github.com/bench/bench$j#v2.0.0\" },\n"
  done
  python3 - "$T/work/$pkg/build.zig.zon" "$lines" <<'PY'
import sys
path, lines = sys.argv[1], sys.argv[2].replace("\\n", "\n")
s = open(path).read()
s = s.replace(".dependencies = .{},", ".dependencies = .{\n" + lines + "    },")
import re
s = re.sub(r'\.version = "[^"]*"', '.version = "2.0.0"', s)
open(path, "w").write(s)
PY
  git -C "$T/work/$pkg" -c user.name="Bench Committer" -c user.email=committer@example.invalid commit -qam "Release 2.0.0"
  git -C "$T/work/$pkg" -c user.name="Bench Committer" -c user.email=committer@example.invalid tag -a v2.0.0 -m "$pkg 2.0.0"
  git clone -q --bare "$T/work/$pkg" "$T/repos/$pkg.git"
  git -C "$T/repos/$pkg.git" gc -q
done
up_kb=$(du -sk "$T/repos" | cut -f1)
CONSUMER=$(python3 -c 'import json,sys; print(json.dumps({"zon": ".{ .name = .app, .version = \"0.0.0\", .dependencies = .{ .bench0 = .{ .url = \"git+https://github.com/bench/bench0#v2.0.0\" } }, .paths = .{\"\"} }"}))')

# ------------------------------------------------------------------------------------------ sides
packbase_run() { # prints: wall-seconds jvm-cpu-seconds ok-nodes
  local root pid url t0 t1 c0 c1 ok
  root=$(mktemp -d "$T/root.XXXXXX")
  # shellcheck disable=SC2086
  PACKBASE_ROOT="$root" PACKBASE_PORT=0 PACKBASE_HOST=127.0.0.1 PACKBASE_SEED=false \
    PACKBASE_FETCH_ALLOWED_SCHEMES=https,http,file PACKBASE_UPSTREAM_REWRITES="https://github.com/bench/=file://$T/repos/" \
    java $JAVA_OPTS -jar "$WAR" >"$root.out" 2>"$root.err" &
  pid=$!
  pids+=("$pid")
  url=$(await_listening "$pid" "$root.out" "$root.err")
  c0=$(cpu_self "$pid")
  t0=$(date +%s.%N)
  curl -sf -H 'Content-Type: application/json' --data-binary "$CONSUMER" "$url/api/closure" >"$root.closure.json" \
    || die "POST /api/closure failed: $(cat "$root.closure.json" "$root.err" | tail -5)"
  t1=$(date +%s.%N)
  c1=$(cpu_self "$pid")
  ok=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["counts"].get("ok",0))' "$root.closure.json")
  stop_gracefully "$pid"
  rm -rf "$root"
  awk -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" -v k="$CLK_TCK" -v n="$ok" 'BEGIN { printf "%.4f %.4f %d\n", b - a, (d - c) / k, n }'
}

git_run() { # prints: wall-seconds cpu-seconds archives
  python3 - "$T/repos" "$NODES" "$(mktemp -d "$T/git.XXXXXX")" <<'PY'
import os, resource, shutil, subprocess, sys, time
repos, nodes, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = time.monotonic()
for i in range(nodes):
    pkg = f"bench{i}"
    subprocess.run(["git", "clone", "-q", "--bare", "--no-local", f"file://{repos}/{pkg}.git", f"{dest}/{pkg}.git"], check=True)
    with open(f"{dest}/{pkg}-v2.0.0.tar.gz", "wb") as f:
        subprocess.run(["git", "-C", f"{dest}/{pkg}.git", "archive", "--format=tar.gz", f"--prefix={pkg}-v2.0.0/", "v2.0.0"],
                       check=True, stdout=f)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
shutil.rmtree(dest)
print(f"{wall:.4f} {r.ru_utime + r.ru_stime:.4f} {nodes}")
PY
}

: >"$T/runs.tsv"
for ((i = 0; i < RUNS; i++)); do
  for side in $([ $((i % 2)) = 0 ] && echo "packbase git" || echo "git packbase"); do
    if [ "$side" = packbase ]; then
      read -r wall cpu n < <(packbase_run)
      [ "$n" = "$NODES" ] || die "the closure has $n ok nodes, expected $NODES"
    else
      read -r wall cpu n < <(git_run)
    fi
    printf '%s\t%s\t%s\n' "$side" "$wall" "$cpu" >>"$T/runs.tsv"
  done
  log "round $((i + 1))/$RUNS done"
done

# ----------------------------------------------------------------------------------------- report
mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/closure-$(date -u +%F).md"
python3 - "$T/runs.tsv" "$NODES" "$FILES" "$up_kb" "$(war_revision)" "$(nproc)" >"$out" <<'PY'
import statistics, sys, time
rows = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
nodes, files, up_kb, rev, cores = sys.argv[2:7]
def col(side, i): return [float(r[i]) for r in rows if r[0] == side]
pw, gw, pc, gc = col("packbase", 1), col("git", 1), col("packbase", 2), col("git", 2)
m = statistics.median
print(f"# Closure benchmark: packbase vs git clone + git archive ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
print(f"{nodes} packages (bench/gen-repo.py, {files} files and a few releases of history each, {up_kb} KiB of bare "
      f"repositories), a tree with diamonds; packbase at {rev}; {cores} cores; {len(pw)} runs per side, alternating.\n")
print("| side | median wall | min | max | median CPU |\n|---|---:|---:|---:|---:|")
print(f"| packbase `POST /api/closure` | {m(pw):.2f} s | {min(pw):.2f} s | {max(pw):.2f} s | {m(pc):.2f} s (JVM) |")
print(f"| git clone --bare + git archive | {m(gw):.2f} s | {min(gw):.2f} s | {max(gw):.2f} s | {m(gc):.2f} s |")
print(f"\n**Ratio packbase / git (median wall): {m(pw) / m(gw):.2f}**")
PY
cat "$out"
log "report written to $out"
