#!/usr/bin/env bash
# Short coverage-guided fuzzing run of every Jazzer fuzz test (*FuzzIT), for CI and by hand.
#
#   tools/fuzz.sh                 each fuzz test for FUZZ_SECONDS (default 20) seconds
#   tools/fuzz.sh 'PktLinesFuzzIT#parse'     only the named test(s)
#
# `./mvnw -B verify` runs the same tests in regression mode (the seeds under
# src/test/resources/**/<Test>Inputs/<method>/ only). Here JAZZER_FUZZ=1 makes Jazzer fuzz, and it
# fuzzes only one test per JVM, so each test gets its own Failsafe run (fuzz tests are integration
# tests, see pom.xml; Failsafe here needs only the compiled test classes, not the WAR). A finding fails that test,
# and Jazzer writes the input as crash-<sha1> next to the seeds in src/test/resources, where the
# next `verify` runs it as a regression test. The generated corpus goes to .cifuzz-corpus/ and is
# removed at the end unless FUZZ_KEEP_CORPUS=1. Exits non-zero when any test had a finding.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    tests=(
        'PktLinesFuzzIT#parse'
        'WantLinesFuzzIT#normalize'
        'ZonParserFuzzIT#parse'
        'ZonParserFuzzIT#parseLenient'
        'ZigManifestFuzzIT#parse'
        'ZigPackageHashFuzzIT#hash'
        'ZonRewriteFuzzIT#rewrite'
        'UpstreamUrlFuzzIT#parse'
        'HttpRequestFuzzIT#request'
    )
fi

logs="target/fuzz"
mkdir -p "$logs"
./mvnw -B -q test-compile || exit 1

failed=()
for t in "${tests[@]}"; do
    log="$logs/${t//#/.}.log"
    echo "fuzz: $t for ${seconds}s (log: $log)"
    if JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" ./mvnw -B failsafe:integration-test failsafe:verify -Dit.test="$t" >"$log" 2>&1; then
        result=ok
    else
        result=FINDING
        failed+=("$t")
    fi
    # libFuzzer's closing statistics: total executions and executions per second.
    grep -E '^\[(INFO|ERROR|WARNING)\] Tests run:' "$log" | tail -1 | sed 's/^/fuzz:   /'
    stats=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+')
    echo "fuzz: $t: $result; ${stats:-no libFuzzer summary}; ${cov:-}"
    if [ "$result" != ok ]; then
        grep -E 'FuzzTestFinding|Tests run:' "$log" | head -5
        find src/test/resources -name 'crash-*'
    fi
done

if [ "${FUZZ_KEEP_CORPUS:-0}" != 1 ]; then
    rm -rf .cifuzz-corpus
fi
echo "fuzz: ${#tests[@]} fuzz tests run, ${#failed[@]} with findings${failed[*]:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
