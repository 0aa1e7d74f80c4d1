#!/usr/bin/env bash
# A/B of two packbase WARs at the same moment: both run side by side on one root each, holding the
# same package (bench/gen-repo.py, ingested from a local bare repository), and every measure
# alternates between them request by request, so machine drift (other tenants, a CI run) hits both
# alike. Use it to check a difference that bench/compare.sh, which runs the scripts one WAR after
# the other, reports for a small figure.
#
# Usage: bench/ab.sh <a.war> <b.war>
#
# Measures per round, on each WAR in turn: git clone --depth 1, a full git clone, git fetch of an
# up-to-date clone, GET info/refs?service=git-upload-pack, a repeated POST /api/fetch (no new
# tags). Prints the median of each (ms) per WAR. Then, with wrk (if installed), GETs of a small tarball (a second,
# one-file package), AB_WRK_ROUNDS × AB_WRK_SECONDS per WAR, alternating: the median req/s.
#
# Environment (all optional):
#   AB_ROUNDS=30                               rounds
#   AB_FILES=300 AB_TAGS=20 AB_COMMITS=3 AB_KB=10  the generated package (as bench/git-fetch.sh)
#   AB_WRK_ROUNDS=3 AB_WRK_SECONDS=5 AB_CONNECTIONS=16   the tarball runs (wrk -t2)
#   AB_TMPDIR=/dev/shm (else $TMPDIR or /tmp)  where the roots go (deleted at the end)
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
A=$(realpath "$1"); B=$(realpath "$2")
ROUNDS=${AB_ROUNDS:-30}
base=${AB_TMPDIR:-$([ -w /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")}
T=$(mktemp -d "$base/packbase-ab.XXXXXX")
# start() runs in a command substitution (a subshell), so each server's PID goes to a file.
cleanup() {
  for f in "$T"/*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  for f in "$T"/*/pid; do # up to 10 s for each JVM to exit before its root is deleted
    for _ in $(seq 1 100); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$T"
}
trap cleanup EXIT

python3 "$here/gen-repo.py" "$T/work" benchlib "${AB_FILES:-300}" "${AB_TAGS:-20}" "${AB_COMMITS:-3}" \
  "${AB_KB:-10}" 0.04 1 >/dev/null
git clone -q --bare "$T/work" "$T/benchlib.git"
# The small tarball (about 6 KB): one file of 11,000 random letters, one tag.
mkdir -p "$T/tiny" && python3 -c "import random; random.seed(1); print(''.join(random.choice('abcdefghij') for _ in range(11000)))" >"$T/tiny/data.txt"
git -C "$T/tiny" init -q && git -C "$T/tiny" add . && git -C "$T/tiny" -c user.name=b -c user.email=b@b commit -qm one \
  && git -C "$T/tiny" tag v1.0.0 && git clone -q --bare "$T/tiny" "$T/tiny.git"

# PACKBASE_ALLOW_FILE_URLS: the name both older and newer WARs read (newer ones log a deprecation).
start() { # <name> <war> -> port on stdout
  mkdir -p "$T/$1"
  PACKBASE_ROOT="$T/$1/root" PACKBASE_SEED=false PACKBASE_PORT=0 PACKBASE_HOST=127.0.0.1 \
    PACKBASE_ALLOW_FILE_URLS=true java -jar "$2" >"$T/$1/log" 2>&1 &
  local pid=$!
  echo "$pid" >"$T/$1/pid"
  for _ in $(seq 1 600); do
    port=$(sed -n 's|^packbase listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$T/$1/log")
    [ -n "$port" ] && { echo "$port"; return; }
    kill -0 "$pid" 2>/dev/null || { cat "$T/$1/log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$1 did not start" >&2; exit 1
}
pa=$(start a "$A"); pb=$(start b "$B")
fetch() { curl -sf -XPOST -H 'Content-Type: application/json' -d "{\"url\":\"file://$T/${2:-benchlib}.git\"}" \
  "http://127.0.0.1:$1/api/fetch" >/dev/null; }
for p in $pa $pb; do fetch "$p"; fetch "$p" tiny; git clone -q "http://127.0.0.1:$p/benchlib" "$T/full$p"; done
ms() { local s; s=$(date +%s%N); "$@" >/dev/null 2>&1; echo $(( ($(date +%s%N) - s) / 1000000 )); }
for _ in $(seq 1 "$ROUNDS"); do
  for p in $pa $pb; do
    rm -rf "$T/c$p" "$T/f$p"
    echo "$p $(ms git clone -q --depth 1 "http://127.0.0.1:$p/benchlib" "$T/c$p") \
$(ms git clone -q "http://127.0.0.1:$p/benchlib" "$T/f$p") \
$(ms git -C "$T/full$p" fetch -q) \
$(ms curl -sf -o /dev/null "http://127.0.0.1:$p/benchlib/info/refs?service=git-upload-pack") $(ms fetch "$p")"
  done
done >"$T/times"
if command -v wrk >/dev/null; then
  tarball=/p/tiny/tag/v1.0.0.tar.gz
  size=$(curl -sf "http://127.0.0.1:$pa$tarball" | wc -c)
  for p in $pa $pb; do wrk -t2 -c"${AB_CONNECTIONS:-16}" -d2s "http://127.0.0.1:$p$tarball" >/dev/null; done # warm-up
  for _ in $(seq 1 "${AB_WRK_ROUNDS:-3}"); do
    for p in $pa $pb; do
      echo "$p $(wrk -t2 -c"${AB_CONNECTIONS:-16}" -d"${AB_WRK_SECONDS:-5}"s "http://127.0.0.1:$p$tarball" \
        | sed -n 's/^Requests\/sec: *//p')"
    done
  done >"$T/wrk"
else
  echo "wrk not installed: no tarball runs" >&2
  size=0 && : >"$T/wrk"
fi
python3 - "$T" "$pa" "$pb" "$A" "$B" "$ROUNDS" "$size" <<'PY'
import statistics, sys
t, pa, pb, wa, wb, rounds, size = sys.argv[1:]

def by_port(name):
    """Each line is '<port> <value>…': the values per port, run by run."""
    rows = {}
    for line in open(f"{t}/{name}"):
        port, *values = line.split()
        rows.setdefault(port, []).append([float(v) for v in values])
    return rows

times = by_port("times")
print(f"{rounds} rounds, alternating request by request; median ms")
print("| WAR | clone --depth 1 | full clone | git fetch, up to date | info/refs | POST /api/fetch, no new tags |")
print("|---|---:|---:|---:|---:|---:|")
for port, war in ((pa, wa), (pb, wb)):
    print(f"| {war} | " + " | ".join(f"{statistics.median(c):g}" for c in zip(*times[port])) + " |")
rates = by_port("wrk")
if rates:
    print(f"\nGET of a {int(size):,}-byte tarball, wrk -t2, rounds alternating; median req/s (every round)")
    for port, war in ((pa, wa), (pb, wb)):
        r = [v[0] for v in rates[port]]
        print(f"| {war} | {statistics.median(r):,.0f} | " + " · ".join(f"{x:,.0f}" for x in r) + " |")
PY
