#!/usr/bin/env bash
# Before/after comparison of two packbase WARs: runs one or more of the bench/ scripts with each WAR
# in turn, alternating (old, new, old, new, …), so both see the same machine at nearly the same time.
# Every run is a normal run of the script (which measures packbase against its own reference: nginx,
# git http-backend or plain git, in alternation too); the ratios of the runs are what to compare.
#
# Usage: bench/compare.sh <old.war> <new.war> [script…]     (default scripts: tarball-get git-fetch ingest)
#
# Environment (all optional):
#   COMPARE_ROUNDS=1                       old/new pairs per script
#   COMPARE_OUT=bench/results/compare-<UTC date>   where the reports go: <script>-<old|new>-<round>.md
# Every BENCH_* variable is passed through to the scripts (e.g. BENCH_RUNS=5 for shorter runs).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 <old.war> <new.war> [script...]" >&2; exit 2; }
old=$(realpath "$1")
new=$(realpath "$2")
shift 2
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(tarball-get git-fetch ingest)
rounds=${COMPARE_ROUNDS:-1}
out=${COMPARE_OUT:-$here/results/compare-$(date -u +%Y-%m-%d)}
mkdir -p "$out"

for script in "${scripts[@]}"; do
  [ -x "$here/$script.sh" ] || { echo "no such benchmark: bench/$script.sh" >&2; exit 2; }
done

for script in "${scripts[@]}"; do
  for ((r = 1; r <= rounds; r++)); do
    for side in old new; do
      war=$old
      [ "$side" = new ] && war=$new
      dir=$(mktemp -d)
      echo "compare: $script round $r: $side ($war)" >&2
      BENCH_WAR=$war BENCH_RESULTS_DIR=$dir "$here/$script.sh" >/dev/null
      mv "$dir"/*.md "$out/$script-$side-$r.md"
      rmdir "$dir"
    done
  done
done
echo "compare: reports in $out" >&2
