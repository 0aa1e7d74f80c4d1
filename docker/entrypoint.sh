#!/usr/bin/env bash
# Container entrypoint (and the bootstrap the tests run directly, since no Docker engine runs there).
#
# On a writable root it first materialises mounted fixtures: every bare Git repository under
# $PACKBASE_FIXTURES (default /fixtures) is copied to $PACKBASE_ROOT/git/, and packbase imports them
# with one update run right after startup. Without fixtures, packbase's built-in `hello` seed
# package is created instead (an empty root always has one package). A read-only root (an edge)
# is never touched. Then it execs packbase, so it receives the container's signals directly.
set -euo pipefail

war="${PACKBASE_WAR:-/opt/packbase/packbase.war}"
root="${PACKBASE_ROOT:-/data}"
fixtures="${PACKBASE_FIXTURES:-/fixtures}"
export PACKBASE_ROOT="$root"

log() { printf 'packbase-bootstrap: %s\n' "$*" >&2; }

writable=false
if [ -d "$root" ] && [ -w "$root" ] && [ "${PACKBASE_READ_ONLY:-false}" != "true" ]; then
  probe="$root/.packbase-bootstrap-probe.$$"
  if ( : > "$probe" ) 2>/dev/null; then
    rm -f "$probe"
    writable=true
  fi
fi

copied=0
if [ "$writable" = true ] && [ -d "$fixtures" ]; then
  for repo in "$fixtures"/*; do
    [ -f "$repo/HEAD" ] && [ -d "$repo/objects" ] || continue
    name=$(basename "$repo")
    name="${name%.git}.git"
    mkdir -p "$root/git"
    if [ ! -e "$root/git/$name" ]; then
      cp -R "$repo" "$root/git/$name.partial.$$"
      mv "$root/git/$name.partial.$$" "$root/git/$name"
    fi
    copied=$((copied + 1))
  done
fi

if [ "$copied" -gt 0 ]; then
  log "materialised $copied fixture repositories under $root/git; importing them after startup"
  export PACKBASE_UPDATE_ON_START=true
  export PACKBASE_SEED="${PACKBASE_SEED:-false}"
elif [ "$writable" = true ]; then
  log "no fixtures under $fixtures; packbase seeds its built-in hello package into an empty root"
else
  log "read-only root $root: serving what the central node wrote"
fi

exec java ${JAVA_OPTS:-} -jar "$war" "$@"
