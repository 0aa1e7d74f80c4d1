#!/usr/bin/env bash
# Installs every real component the test suite drives, on Debian/Ubuntu:
#   - Debian packages: git (upstreams, git http-backend), nginx, Caddy and fcgiwrap (reverse-proxy
#     and baseline tests), Chromium and its ChromeDriver (the web face's browser tests), curl/tar
#     for the Maven wrapper, and a JDK 17;
#   - real Zig releases from PyPI into ~/.cache/packbase/zig (tools/install-zig.sh);
#   - the S3 server of the object-storage tests, versitygw, built with Go into
#     ~/.cache/packbase/versitygw (tools/install-s3-engine.sh).
# Idempotent: what is already there is not installed again. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git curl ca-certificates tar jq openjdk-17-jdk-headless python3-pip nginx caddy fcgiwrap chromium chromium-driver
  fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# pip may come from elsewhere (pyenv); only ask apt for it when there is no pip at all.
if python3 -m pip --version >/dev/null 2>&1; then
  missing=("${missing[@]/python3-pip}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
[ -x /usr/lib/git-core/git-http-backend ] || { echo "install-test-deps: git-http-backend missing" >&2; exit 1; }

tools/install-zig.sh
tools/install-s3-engine.sh
