#!/usr/bin/env bash
# Installs the real S3 server the object-storage tests drive: Versity's S3 gateway (versitygw,
# Apache-2.0, run in production in front of POSIX file systems), built once from the Go module proxy
# into a cache outside the repository; later runs reuse the binary. It is a test tool, not shipped.
# Why versitygw and not Garage or radosgw: DESIGN.md "Object storage".
#   PACKBASE_S3_ENGINE_HOME  cache directory (default ~/.cache/packbase/versitygw); the binary lands
#                            in $PACKBASE_S3_ENGINE_HOME/<version>/versitygw
set -euo pipefail
version=v1.8.0
home="${PACKBASE_S3_ENGINE_HOME:-$HOME/.cache/packbase/versitygw}"
bin="$home/$version/versitygw"
if [ -x "$bin" ]; then
  exit 0
fi
command -v go >/dev/null || { echo "install-s3-engine: needs a Go toolchain (go install)" >&2; exit 1; }
echo "install-s3-engine: building versitygw $version into $home/$version (about a minute)" >&2
start=$(date +%s)
rm -rf "$home/$version.partial"
mkdir -p "$home/$version.partial"
GOBIN="$home/$version.partial" GOFLAGS=-mod=mod timeout 1500 go install "github.com/versity/versitygw/cmd/versitygw@$version"
rm -rf "$home/$version"
mv "$home/$version.partial" "$home/$version"
echo "install-s3-engine: built in $(( $(date +%s) - start )) s" >&2
