#!/usr/bin/env bash
# Installs the real Zig releases the test suite drives (PyPI's `ziglang` wheels, which carry the
# upstream binaries) into a cache outside the repository, once: later runs reuse them.
#   PACKBASE_ZIG_HOME   cache directory (default ~/.cache/packbase/zig); each version lands in
#                       $PACKBASE_ZIG_HOME/<version>/ziglang/zig
#   PACKBASE_ZIG_VERSIONS  space-separated versions (default below)
set -euo pipefail
home="${PACKBASE_ZIG_HOME:-$HOME/.cache/packbase/zig}"
versions="${PACKBASE_ZIG_VERSIONS:-0.13.0 0.14.1 0.15.1 0.16.0 0.17.1}"
python=$(command -v python3 || command -v python)
mkdir -p "$home"
for v in $versions; do
  if [ -x "$home/$v/ziglang/zig" ] && "$home/$v/ziglang/zig" version >/dev/null 2>&1; then
    continue
  fi
  echo "install-zig: installing zig $v into $home/$v" >&2
  rm -rf "$home/$v.partial"
  "$python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$home/$v.partial" "ziglang==$v"
  rm -rf "$home/$v"
  mv "$home/$v.partial" "$home/$v"
  "$home/$v/ziglang/zig" version >/dev/null
done
