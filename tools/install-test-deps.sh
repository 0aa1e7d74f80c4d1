#!/usr/bin/env bash
# Installs every real component the test suite drives, on Debian/Ubuntu:
#   - Debian packages: git (upstreams, git http-backend), nginx, Caddy and fcgiwrap (reverse-proxy
#     and baseline tests), Chromium and its ChromeDriver (the web face's browser tests), curl/tar
#     for the Maven wrapper, a JDK 17, and Prometheus with promtool (OperationsIT scrapes packbase; the
#     package's own service is kept from starting: the test runs the binary on loopback);
#   - real Zig releases from PyPI into ~/.cache/packbase/zig (tools/install-zig.sh);
#   - the S3 server of the object-storage tests, versitygw, built with Go into
#     ~/.cache/packbase/versitygw (tools/install-s3-engine.sh).
# Idempotent: what is already there is not installed again. Needs root (or sudo) for apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git curl ca-certificates tar jq make openjdk-17-jdk-headless python3-pip python3-venv nginx caddy fcgiwrap chromium chromium-driver
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
# Prometheus: Debian's package would start a system service on :9090; a policy-rc.d that refuses every
# start is put in place for the install when none exists (containers usually have one already).
if ! dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed"; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  policy=/usr/sbin/policy-rc.d
  added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && added_policy=1
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends prometheus
  [ -z "$added_policy" ] || $sudo rm -f "$policy"
fi
command -v promtool >/dev/null || { echo "install-test-deps: promtool missing" >&2; exit 1; }
[ -x /usr/lib/git-core/git-http-backend ] || { echo "install-test-deps: git-http-backend missing" >&2; exit 1; }

tools/install-zig.sh

# Schemathesis, pinned, in its own virtual environment (checks the OpenAPI document: tools/schemathesis.sh).
SCHEMATHESIS_VERSION=4.32.5
venv="$HOME/.cache/packbase/venv-schemathesis"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
tools/install-s3-engine.sh
