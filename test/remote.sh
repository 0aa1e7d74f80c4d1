#!/usr/bin/env bash
# Smoke check of a DEPLOYED packbase instance, by domain name and expected release.
#
#   bash test/remote.sh <domain> [<package> [<expected-release>]]
#   PACKBASE_REMOTE_DOMAIN=pb.example.net PACKBASE_EXPECTED_RELEASE=r0007 bash test/remote.sh
#
# Arguments win over the environment:
#   PACKBASE_REMOTE_DOMAIN       host[:port] of the instance (required)
#   PACKBASE_REMOTE_PACKAGE      package to exercise (default: hello)
#   PACKBASE_EXPECTED_RELEASE    release /api/status must report (required)
#   PACKBASE_REMOTE_SCHEME       https (default) or http
#   ZIG                          zig binary (default: zig on PATH)
#   PACKBASE_REMOTE_WORK         artefacts directory (default: test/tmp/ next to this script);
#                                every run gets its own run-<time>-<pid>/ below it, kept for inspection
#   PACKBASE_REMOTE_ZIG_GLOBAL_CACHE  ZIG_GLOBAL_CACHE_DIR for every zig command
#                                (default: <work>/zig-global-cache, shared by runs so build runners are reused)
#   PACKBASE_REMOTE_BATCH        how many of the smallest healthy packages check 6 fetches (default 10)
#   PACKBASE_REMOTE_SCAN_MAX     most packages check 6 asks /api/info about (default 5000)
#   PACKBASE_REMOTE_TIMEOUT      seconds one zig/git command may take (default 600)
#
# Checks, one PASS/FAIL line each; the exit status is 0 only when all pass (1 otherwise, 2 on bad usage):
#   1 status   GET /api/status: service=packbase and the expected release
#   2 clone    root-level git clone <scheme>://<domain>/<package> checks out a build.zig.zon
#   3 info     POST /api/update answers 200, 429 cooldown or 503 busy; /api/info/<package> is healthy and
#              pseudo-Git fetchable with a sha256 per tarball; the latest tarball matches its sha256 and size
#   4 build    a fresh consumer project: zig fetch --save git+<url>, then zig build; build.zig.zon pins a
#              commit (the one packbase serves for the latest tag) and info's zig hash
#   5 liveness a second zig fetch (of the latest tarball URL) still works and prints the same hash
#   6 batch    zig fetch of the latest tarball of the smallest healthy packages, hashes equal to /api/info
#
# Needs bash, curl, jq, git and zig; uses coreutils timeout when present.

set -u
set -o pipefail

usage() {
    sed -n '2,5p' "$0" >&2
    echo "see the header of $0 for the environment variables" >&2
    exit 2
}

DOMAIN=${1:-${PACKBASE_REMOTE_DOMAIN:-}}
PKG=${2:-${PACKBASE_REMOTE_PACKAGE:-hello}}
EXPECTED_RELEASE=${3:-${PACKBASE_EXPECTED_RELEASE:-}}
SCHEME=${PACKBASE_REMOTE_SCHEME:-https}
ZIG=${ZIG:-zig}
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=${PACKBASE_REMOTE_WORK:-$SCRIPT_DIR/tmp}
BATCH=${PACKBASE_REMOTE_BATCH:-10}
SCAN_MAX=${PACKBASE_REMOTE_SCAN_MAX:-5000}
CMD_TIMEOUT=${PACKBASE_REMOTE_TIMEOUT:-600}

[ $# -le 3 ] || usage
[ -n "$DOMAIN" ] || { echo "remote.sh: no domain (argument 1 or PACKBASE_REMOTE_DOMAIN)" >&2; usage; }
[ -n "$EXPECTED_RELEASE" ] || { echo "remote.sh: no expected release (argument 3 or PACKBASE_EXPECTED_RELEASE)" >&2; usage; }
case "$SCHEME" in http|https) ;; *) echo "remote.sh: PACKBASE_REMOTE_SCHEME must be http or https, not '$SCHEME'" >&2; exit 2 ;; esac
case "$DOMAIN" in */*|*' '*|*'#'*|*'?'*|*@*) echo "remote.sh: '$DOMAIN' is not a host[:port]" >&2; exit 2 ;; esac
NAME_RE='^[A-Za-z0-9_-][A-Za-z0-9._-]*$'
[[ "$PKG" =~ $NAME_RE ]] || { echo "remote.sh: '$PKG' is not a package name" >&2; exit 2; }
for n in "$BATCH" "$SCAN_MAX" "$CMD_TIMEOUT"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "remote.sh: '$n' is not a number" >&2; exit 2; }
done
for tool in curl jq git; do
    command -v "$tool" >/dev/null 2>&1 || { echo "remote.sh: $tool is required but not on PATH" >&2; exit 2; }
done

BASE="$SCHEME://$DOMAIN"
mkdir -p "$WORK" || exit 2
WORK=$(cd "$WORK" && pwd)
if [ -z "${PACKBASE_REMOTE_WORK:-}" ] && [ ! -e "$WORK/.gitignore" ]; then
    printf '*\n' >"$WORK/.gitignore"    # test/tmp/ holds artefacts only
fi
RUN="$WORK/run-$(date +%Y%m%d-%H%M%S)-$$"
mkdir -p "$RUN" || exit 2
ZIG_CACHE=${PACKBASE_REMOTE_ZIG_GLOBAL_CACHE:-$WORK/zig-global-cache}
mkdir -p "$ZIG_CACHE" || exit 2

# Zig 0.13 cannot cope with empty proxy variables; drop only the empty ones.
for v in http_proxy https_proxy all_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY; do
    if [ -z "${!v-x}" ]; then unset "$v"; fi
done
export GIT_TERMINAL_PROMPT=0

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $1"; }
note() { echo "  note: $*"; }

# Runs a command with the time limit, when coreutils timeout is there.
bounded() {
    if command -v timeout >/dev/null 2>&1; then
        timeout "$CMD_TIMEOUT" "$@"
    else
        "$@"
    fi
}

# zig with this run's caches; stdout and stderr go to the files the caller names.
zig_run() {
    local dir=$1 out=$2 err=$3
    shift 3
    (cd "$dir" && ZIG_GLOBAL_CACHE_DIR="$ZIG_CACHE" ZIG_LOCAL_CACHE_DIR="$RUN/zig-local-cache" \
        bounded "$ZIG" "$@" >"$out" 2>"$err")
}

# An absolute URL for a path of this instance (links in /api/info are paths; absolute ones pass through).
abs_url() {
    case "$1" in
        http://*|https://*) echo "$1" ;;
        *) echo "$BASE$1" ;;
    esac
}

# http <method> <path or URL> <output file>: prints the status code (000 when there was no answer).
http() {
    local code
    code=$(curl -sS --max-time 60 --connect-timeout 15 -X "$1" -o "$3" -w '%{http_code}' "$(abs_url "$2")" 2>>"$RUN/curl.log")
    echo "${code:-000}"
}

# The last lines of a log, indented, for a FAIL explanation.
tail_of() {
    [ -s "$1" ] && tail -n 15 "$1" | sed 's/^/    | /'
    return 0
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# --- Zig version and era -------------------------------------------------------------------------------

ZIG_VERSION=""
ZIG_ERA=""
if ZIG_VERSION=$("$ZIG" version 2>/dev/null) && [ -n "$ZIG_VERSION" ]; then
    if [[ "$ZIG_VERSION" =~ ^0\.([0-9]+)\. ]]; then
        minor=${BASH_REMATCH[1]}
        if [ "$minor" -ge 16 ]; then ZIG_ERA="0.16+"
        elif [ "$minor" -ge 14 ]; then ZIG_ERA="0.14-0.15"
        elif [ "$minor" -ge 12 ]; then ZIG_ERA="0.12-0.13"
        fi
    elif [[ "$ZIG_VERSION" =~ ^[1-9] ]]; then
        ZIG_ERA="0.16+"
    fi
else
    ZIG_VERSION=""
fi

# The hash the running zig prints for a tarball entry of /api/info (JSON on stdin): the legacy 1220… form
# for 0.12/0.13, the name-version-base64 form from 0.14 on (0.14/0.15 fall back to the legacy form for a
# package without a manifest name).
expected_hash_filter() {
    if [ "$ZIG_ERA" = "0.12-0.13" ]; then
        echo '.zig_hash_legacy // .zig.legacy_hash // empty'
    elif [ "$ZIG_ERA" = "0.14-0.15" ]; then
        echo '.zig_hash // .zig.hash // .zig_hash_legacy // .zig.legacy_hash // empty'
    else
        echo '.zig_hash // .zig.hash // empty'
    fi
}

# The latest tarball entry of an info document.
latest_entry() {
    jq -c '.latest_tag as $t | [.tarballs[]? | select(.tag == $t)] | first // empty' "$1" 2>/dev/null
}

# A directory for plain zig fetch runs: Zig 0.16 looks for a build.zig even without --save.
fetch_dir() {
    local d="$RUN/fetch"
    if [ ! -f "$d/build.zig" ]; then
        mkdir -p "$d"
        printf 'pub fn build(b: *@import("std").Build) void {\n    _ = b;\n}\n' >"$d/build.zig"
    fi
    echo "$d"
}

# The hash printed by zig fetch: its last non-empty stdout line.
printed_hash() {
    grep -v '^[[:space:]]*$' "$1" | tail -n 1 | tr -d '[:space:]'
}

echo "packbase remote smoke: $BASE package=$PKG expected release=$EXPECTED_RELEASE"
echo "  artefacts: $RUN"
echo "  zig: ${ZIG_VERSION:-not found ($ZIG)}${ZIG_ERA:+ (era $ZIG_ERA)}, global cache $ZIG_CACHE"

# --- 1. status -------------------------------------------------------------------------------------------

check_status() {
    local f="$RUN/status.json" code service release
    code=$(http GET /api/status "$f")
    if [ "$code" != 200 ]; then
        fail "1 status: GET /api/status answered $code, expected 200"
        tail_of "$RUN/curl.log"
        return
    fi
    if ! jq -e 'type == "object"' "$f" >/dev/null 2>&1; then
        fail "1 status: GET /api/status is not a JSON object"
        tail_of "$f"
        return
    fi
    service=$(jq -r '.service // "(none)"' "$f")
    release=$(jq -r '.release // "(none)"' "$f")
    if [ "$service" != packbase ]; then
        fail "1 status: service is '$service', expected 'packbase'"
    elif [ "$release" != "$EXPECTED_RELEASE" ]; then
        fail "1 status: release is '$release', expected release '$EXPECTED_RELEASE'"
    else
        pass "1 status: service=packbase release=$release ($(jq -r '"\(.packages_healthy // "?")/\(.packages_total // "?") packages healthy"' "$f"))"
    fi
}

# --- 2. clone --------------------------------------------------------------------------------------------

CLONE_DIR="$RUN/clone"
check_clone() {
    local log="$RUN/git-clone.log" head
    if ! bounded git -c http.lowSpeedLimit=1 -c http.lowSpeedTime=60 clone -q "$BASE/$PKG" "$CLONE_DIR" >"$log" 2>&1; then
        fail "2 clone: git clone $BASE/$PKG failed"
        tail_of "$log"
        return
    fi
    if [ ! -f "$CLONE_DIR/build.zig.zon" ]; then
        fail "2 clone: git clone $BASE/$PKG checked out no build.zig.zon"
        return
    fi
    head=$(git -C "$CLONE_DIR" rev-parse HEAD 2>/dev/null)
    pass "2 clone: git clone $BASE/$PKG checked out build.zig.zon at $head"
}

# --- 3. update, info, tarball ----------------------------------------------------------------------------

INFO="$RUN/info-$PKG.json"
LATEST=""          # latest tarball entry of $INFO (compact JSON), once check 3 has read it
check_info() {
    local code upd="$RUN/update.json" ustatus problems entry url want_sha want_size got_sha got_size tb
    code=$(http POST /api/update "$upd")
    ustatus=$(jq -r '.status // ""' "$upd" 2>/dev/null)
    case "$code:$ustatus" in
        200:*) note "POST /api/update: 200 ($(jq -r '"\(.packages_synced // 0) synced, \(.packages_failed // 0) failed"' "$upd" 2>/dev/null))" ;;
        429:*) note "POST /api/update: 429 ${ustatus:-cooldown}, fine" ;;
        503:busy) note "POST /api/update: 503 busy (a run is in progress), fine" ;;
        *)
            fail "3 info: POST /api/update answered $code ${ustatus:-(no status)}, expected 200, 429 or 503 busy"
            tail_of "$upd"
            return
            ;;
    esac
    code=$(http GET "/api/info/$PKG" "$INFO")
    if [ "$code" != 200 ]; then
        fail "3 info: GET /api/info/$PKG answered $code"
        tail_of "$INFO"
        return
    fi
    problems=$(jq -r --arg want "$PKG" '[
        (if .package != $want then "package is \(.package)" else empty end),
        (if .healthy != true then "healthy is \(.healthy) (problems: \(.problems // [] | join("; ")))" else empty end),
        (if .pseudo_git_fetchable != true then "pseudo_git_fetchable is \(.pseudo_git_fetchable)" else empty end),
        (if ((.tarballs // []) | length) == 0 then "no tarballs" else empty end),
        ((.tarballs // [])[] | select((.tarball_sha256 // "") | test("^[0-9a-f]{64}$") | not) | "tarball \(.tag) has no sha256")
    ] | join(", ")' "$INFO" 2>&1)
    if [ -n "$problems" ]; then
        fail "3 info: /api/info/$PKG: $problems"
        return
    fi
    entry=$(latest_entry "$INFO")
    if [ -z "$entry" ]; then
        fail "3 info: /api/info/$PKG has no tarball for latest_tag $(jq -r '.latest_tag' "$INFO")"
        return
    fi
    LATEST=$entry
    url=$(jq -r '.url' <<<"$entry")
    want_sha=$(jq -r '.tarball_sha256' <<<"$entry")
    want_size=$(jq -r '.size_bytes' <<<"$entry")
    tb="$RUN/$(basename "$url")"
    code=$(http GET "$url" "$tb")
    if [ "$code" != 200 ]; then
        fail "3 info: GET $url answered $code"
        return
    fi
    got_sha=$(sha256_of "$tb")
    got_size=$(wc -c <"$tb" | tr -d '[:space:]')
    if [ "$got_sha" != "$want_sha" ] || [ "$got_size" != "$want_size" ]; then
        fail "3 info: $url is $got_size bytes sha256 $got_sha; /api/info says $want_size bytes sha256 $want_sha"
        return
    fi
    pass "3 info: $PKG healthy, pseudo-Git fetchable, $(jq '.tarballs | length' "$INFO") tarball(s) with sha256; $url matches ($got_size bytes, sha256 $got_sha)"
}

# --- 4. consumer project ---------------------------------------------------------------------------------

BUILD_HASH=""      # the hash zig fetch --save wrote in check 4
consumer_files() {
    local dir=$1 dep=$2
    if [ "$ZIG_ERA" = "0.12-0.13" ]; then
        cat >"$dir/build.zig.zon" <<'EOF'
.{
    .name = "app",
    .version = "0.0.0",
    .dependencies = .{},
    .paths = .{""},
}
EOF
    else
        # .fingerprint: upper 32 bits are the CRC-32 of "app" (0xc96e70cf), as Zig 0.14+ checks.
        cat >"$dir/build.zig.zon" <<'EOF'
.{
    .name = .app,
    .fingerprint = 0xc96e70cf0a990001,
    .version = "0.0.0",
    .dependencies = .{},
    .paths = .{""},
}
EOF
    fi
    local exe
    if [ "$ZIG_ERA" = "0.12-0.13" ]; then
        exe='    const exe = b.addExecutable(.{ .name = "app", .root_source_file = b.path("main.zig"), .target = target, .optimize = optimize });'
    else
        exe='    const exe = b.addExecutable(.{ .name = "app", .root_module = b.createModule(.{ .root_source_file = b.path("main.zig"), .target = target, .optimize = optimize }) });'
    fi
    cat >"$dir/build.zig" <<EOF
const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
$exe
    const dep = b.dependency("$dep", .{});
    exe.root_module.addImport("$dep", dep.module("$dep"));
    b.installArtifact(exe);
}
EOF
    # Only reference the module, so the consumer compiles whatever it exports.
    cat >"$dir/main.zig" <<EOF
comptime {
    _ = @import("$dep");
}

pub fn main() void {}
EOF
}

# The package's manifest name: /api/info's zig.name, else the cloned build.zig.zon, else the package name.
manifest_name() {
    local n=""
    if [ -n "$LATEST" ]; then
        n=$(jq -r '.zig.name // empty' <<<"$LATEST")
    fi
    if [ -z "$n" ] && [ -f "$CLONE_DIR/build.zig.zon" ]; then
        n=$(sed -n -E 's/^[[:space:]]*\.name[[:space:]]*=[[:space:]]*(\.@?"?|")([A-Za-z0-9_.-]+)"?.*/\2/p' \
            "$CLONE_DIR/build.zig.zon" | head -n 1)
    fi
    echo "${n:-$PKG}"
}

check_build() {
    local dir="$RUN/consumer" name want_hash want_commit url hash
    if [ -z "$ZIG_VERSION" ]; then
        fail "4 build: no zig ($ZIG); set ZIG to a zig binary"
        return
    fi
    if [ -z "$LATEST" ]; then
        fail "4 build: no /api/info tarball entry for $PKG (see check 3)"
        return
    fi
    name=$(manifest_name)
    if ! [[ "$name" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]]; then
        fail "4 build: manifest name '$name' of $PKG is not usable as a dependency name"
        return
    fi
    want_hash=$(jq -r "$(expected_hash_filter)" <<<"$LATEST")
    want_commit=$(jq -r '.git_commit_oid // empty' <<<"$LATEST")
    if [ -n "$ZIG_ERA" ] && ! jq -e --arg era "$ZIG_ERA" '(.zig.accepted_by // null) == null or (.zig.accepted_by | index($era))' <<<"$LATEST" >/dev/null; then
        note "/api/info says zig $ZIG_VERSION ($ZIG_ERA) does not accept $PKG $(jq -r '.tag' <<<"$LATEST") (accepted_by $(jq -c '.zig.accepted_by' <<<"$LATEST"))"
    fi
    mkdir -p "$dir"
    consumer_files "$dir" "$name"
    if ! zig_run "$dir" "$RUN/zig-fetch-save.out" "$RUN/zig-fetch-save.err" fetch --save="$name" "git+$BASE/$PKG"; then
        fail "4 build: zig fetch --save git+$BASE/$PKG failed"
        tail_of "$RUN/zig-fetch-save.err"
        return
    fi
    url=$(sed -n -E 's/^[[:space:]]*\.url[[:space:]]*=[[:space:]]*"([^"]*)".*/\1/p' "$dir/build.zig.zon" | head -n 1)
    hash=$(sed -n -E 's/^[[:space:]]*\.hash[[:space:]]*=[[:space:]]*"([^"]*)".*/\1/p' "$dir/build.zig.zon" | head -n 1)
    if ! [[ "$url" =~ ^git\+.*#([0-9a-f]{40}|[0-9a-f]{64})$ ]]; then
        fail "4 build: build.zig.zon url '$url' is not pinned to a commit"
        return
    fi
    if [ -n "$want_commit" ] && [ "${url##*#}" != "$want_commit" ]; then
        fail "4 build: build.zig.zon pins ${url##*#}; /api/info serves $want_commit for the latest tag"
        return
    fi
    if [ -z "$want_hash" ]; then
        fail "4 build: /api/info has no zig hash for $PKG $(jq -r '.tag' <<<"$LATEST") ($(jq -r '.zig.hash_unavailable_reason // "no zig metadata"' <<<"$LATEST"))"
        return
    fi
    if [ "$hash" != "$want_hash" ]; then
        fail "4 build: build.zig.zon hash is '$hash'; /api/info's zig hash of $(jq -r '.tag' <<<"$LATEST") is '$want_hash'"
        return
    fi
    BUILD_HASH=$hash
    if ! zig_run "$dir" "$RUN/zig-build.out" "$RUN/zig-build.err" build; then
        fail "4 build: zig build of the consumer of $name failed"
        tail_of "$RUN/zig-build.err"
        return
    fi
    pass "4 build: zig fetch --save git+$BASE/$PKG pinned ${url##*#} with hash $hash; zig build OK"
}

# --- 5. liveness -----------------------------------------------------------------------------------------

check_liveness() {
    local url want_hash printed code
    if [ -z "$ZIG_VERSION" ]; then
        fail "5 liveness: no zig ($ZIG)"
        return
    fi
    if [ -z "$LATEST" ]; then
        fail "5 liveness: no /api/info tarball entry for $PKG (see check 3)"
        return
    fi
    url=$(abs_url "$(jq -r '.url' <<<"$LATEST")")
    want_hash=$(jq -r "$(expected_hash_filter)" <<<"$LATEST")
    if ! zig_run "$(fetch_dir)" "$RUN/zig-fetch-again.out" "$RUN/zig-fetch-again.err" fetch "$url"; then
        fail "5 liveness: second zig fetch $url failed"
        tail_of "$RUN/zig-fetch-again.err"
        return
    fi
    printed=$(printed_hash "$RUN/zig-fetch-again.out")
    if [ -z "$printed" ] || [ "$printed" != "$want_hash" ] || { [ -n "$BUILD_HASH" ] && [ "$printed" != "$BUILD_HASH" ]; }; then
        fail "5 liveness: zig fetch $url printed '$printed'; expected '$want_hash'${BUILD_HASH:+ (check 4 got '$BUILD_HASH')}"
        return
    fi
    code=$(http GET /api/status "$RUN/status-after.json")
    if [ "$code" != 200 ]; then
        fail "5 liveness: GET /api/status answered $code after the second fetch"
        return
    fi
    pass "5 liveness: second zig fetch $url printed the same hash $printed; server still answering"
}

# --- 6. batch --------------------------------------------------------------------------------------------

check_batch() {
    local list="$RUN/list.json" code names n scanned=0 rows="$RUN/batch-candidates.tsv" picked
    local fetched=0 skipped=0 failures=() pkg size entry tag want url out err printed accepted
    if [ -z "$ZIG_VERSION" ]; then
        fail "6 batch: no zig ($ZIG)"
        return
    fi
    code=$(http GET /api/list "$list")
    if [ "$code" != 200 ] || ! names=$(jq -r '.packages[]' "$list" 2>/dev/null); then
        fail "6 batch: GET /api/list answered $code without a packages array"
        return
    fi
    : >"$rows"
    mkdir -p "$RUN/batch"
    while IFS= read -r n; do
        [ -n "$n" ] || continue
        if ! [[ "$n" =~ $NAME_RE ]]; then
            note "skipping list entry '$n': not a package name"
            continue
        fi
        if [ "$scanned" -ge "$SCAN_MAX" ]; then
            note "stopped after $SCAN_MAX packages (PACKBASE_REMOTE_SCAN_MAX)"
            break
        fi
        scanned=$((scanned + 1))
        code=$(http GET "/api/info/$n" "$RUN/batch/info-$n.json")
        if [ "$code" != 200 ]; then
            note "GET /api/info/$n answered $code; not a candidate"
            continue
        fi
        jq -r --arg n "$n" 'select(.healthy == true and .latest_tag != null) | "\(.latest_size_bytes // 0)\t\($n)"' \
            "$RUN/batch/info-$n.json" >>"$rows" 2>/dev/null
    done <<<"$names"
    picked=$(sort -t "$(printf '\t')" -k1,1n -k2,2 "$rows" | head -n "$BATCH")
    if [ -z "$picked" ]; then
        fail "6 batch: no healthy package among the $scanned listed"
        return
    fi
    while IFS="$(printf '\t')" read -r size pkg; do
        entry=$(latest_entry "$RUN/batch/info-$pkg.json")
        if [ -z "$entry" ]; then
            failures+=("$pkg: no tarball entry for its latest tag")
            continue
        fi
        tag=$(jq -r '.tag' <<<"$entry")
        accepted=$(jq -c '.zig.accepted_by // null' <<<"$entry")
        if [ -n "$ZIG_ERA" ] && [ "$accepted" != null ] && ! jq -e --arg era "$ZIG_ERA" 'index($era)' <<<"$accepted" >/dev/null; then
            note "skip $pkg $tag: zig $ZIG_VERSION ($ZIG_ERA) does not accept it (accepted_by $accepted)"
            skipped=$((skipped + 1))
            continue
        fi
        want=$(jq -r "$(expected_hash_filter)" <<<"$entry")
        if [ -z "$want" ]; then
            note "skip $pkg $tag: /api/info has no zig hash ($(jq -r '.zig.hash_unavailable_reason // "no zig metadata"' <<<"$entry"))"
            skipped=$((skipped + 1))
            continue
        fi
        url=$(abs_url "$(jq -r '.url' <<<"$entry")")
        out="$RUN/batch/zig-fetch-$pkg.out"
        err="$RUN/batch/zig-fetch-$pkg.err"
        if ! zig_run "$(fetch_dir)" "$out" "$err" fetch "$url"; then
            failures+=("$pkg $tag: zig fetch failed: $(grep -v '^[[:space:]]*$' "$err" | head -n 1)")
            continue
        fi
        printed=$(printed_hash "$out")
        if [ "$printed" != "$want" ]; then
            failures+=("$pkg $tag: zig printed '$printed', /api/info says '$want'")
            continue
        fi
        fetched=$((fetched + 1))
        note "fetched $pkg $tag ($size bytes): $printed"
    done <<<"$picked"
    if [ "${#failures[@]}" -gt 0 ]; then
        fail "6 batch: ${#failures[@]} of the $(wc -l <<<"$picked" | tr -d ' ') smallest healthy packages failed: $(printf '%s; ' "${failures[@]}")"
    else
        pass "6 batch: $fetched of the $(wc -l <<<"$picked" | tr -d ' ') smallest healthy packages fetched with the hash /api/info gives, $skipped skipped"
    fi
}

check_status
check_clone
check_info
check_build
check_liveness
check_batch

echo "summary: $PASSED passed, $FAILED failed (artefacts in $RUN)"
[ "$FAILED" -eq 0 ]
