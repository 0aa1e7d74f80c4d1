# Shared by the bench/ scripts (sourced, not run): the temporary directory with a cleanup that stops
# every server the script started (by the PIDs it recorded in `pids`), Git isolated from the user's
# configuration, and small /proc readers. The sourcing script defines `log` and KEEP first.

# bench_setup <prefix>: creates $T under $TMPBASE and installs the cleanup traps. TMPBASE is
# BENCH_TMPDIR if set, else /dev/shm when writable (the benchmarks then measure no disk), else
# $TMPDIR or /tmp.
bench_setup() {
  if [ -n "${BENCH_TMPDIR:-}" ]; then
    TMPBASE=$BENCH_TMPDIR
  elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
    TMPBASE=/dev/shm
  else
    TMPBASE=${TMPDIR:-/tmp}
  fi
  T=$(mktemp -d "$TMPBASE/$1.XXXXXX")
  chmod 755 "$T" # the nginx worker (nobody when started as root) must reach files below it
  pids=()        # every server this script started, by PID
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  # Isolate every git client from the user's configuration.
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$T/gitconfig" GIT_TERMINAL_PROMPT=0
  : >"$T/gitconfig"
}

# stop_gracefully <pid>...: SIGTERM to each, then waits up to 10 s for each to exit (so that servers
# finish their access logs before a report reads them).
stop_gracefully() {
  local p i
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do
    for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
}

# war_revision: the checkout's short commit, with ", uncommitted changes" when tracked files differ.
war_revision() {
  local commit dirty
  commit=$(git -C "$repo_root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$repo_root" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo ", uncommitted changes" || true)
  echo "$commit$dirty"
}

bench_cleanup() {
  local rc=$? p
  trap - EXIT INT TERM
  stop_gracefully "${pids[@]}"
  for p in "${pids[@]}"; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [ "$KEEP" = 1 ]; then log "kept $T"; else rm -rf "$T"; fi
  exit "$rc"
}

# stat fields after the ")" of comm: [11]=utime [12]=stime [13]=cutime [14]=cstime (clock ticks).
proc_fields() { local s; s=$(<"/proc/$1/stat"); s=${s##*) }; echo "$s"; }
cpu_self() { local f; read -ra f <<<"$(proc_fields "$1")"; echo $((f[11] + f[12])); }
cpu_with_children() { local f; read -ra f <<<"$(proc_fields "$1")"; echo $((f[11] + f[12] + f[13] + f[14])); }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }

# await_listening <pid> <stdout file> <stderr file>: waits (at most 60 s) for packbase's
# "packbase listening on http://…" line and prints the base URL without a trailing slash.
await_listening() {
  local pid=$1 out=$2 err=$3 url= i
  for ((i = 0; i < 1200; i++)); do
    url=$(sed -n 's#^packbase listening on \(http://[^ ]*\).*#\1#p' "$out" | head -n 1 || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || die "packbase exited: $(tail -n 20 "$err")"
    sleep 0.05
  done
  [ -n "$url" ] || die "packbase did not print its listening line within 60 s: $(tail -n 20 "$err")"
  echo "${url%/}"
}
