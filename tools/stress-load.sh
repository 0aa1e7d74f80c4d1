#!/usr/bin/env bash
# Mixed-load stress: MixedLoadIT for LOAD_SECONDS (CI runs it for 20 s). Many clients at once download
# tarballs, clone over Git, zig fetch, fetch packages (one upstream gains a tag before every fetch) and
# run updates against `java -jar packbase.war -Xmx256m`; the test fails on any 5xx, corrupt result,
# changed tarball byte, or a peak RSS above 768 MiB. The report (throughput, p50/p99 per operation,
# peak RSS) is printed and written to target/mixed-load.md. Needs what the test suite needs
# (tools/install-test-deps.sh).
#   LOAD_SECONDS=300 tools/stress-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${LOAD_SECONDS:-300}"
./mvnw -B -q package -DskipTests
./mvnw -B verify -Dtest=NoSuch -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=MixedLoadIT \
  "-Dpackbase.load.seconds=${seconds}"
cat target/mixed-load.md
