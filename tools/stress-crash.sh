#!/usr/bin/env bash
# Crash-safety stress: kill -9 `java -jar packbase.war` at many points of an ingest (after the n-th
# object write has begun, n = 1..KILLS), restart it each time, and check that no partial tarball is
# visible, every tarball matches its manifest and the next fetch completes. CI runs 3 kill points
# (KilledIngestIT); this runs the long version. Needs what the test suite needs (tools/install-test-deps.sh).
#   KILLS=50 tools/stress-crash.sh
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${KILLS:-50}"
./mvnw -B -q package -DskipTests
./mvnw -B verify -Dtest=NoSuch -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KilledIngestIT \
  "-Dpackbase.kill.points=1..${kills}"
