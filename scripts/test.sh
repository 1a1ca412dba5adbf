#!/usr/bin/env bash
# Sets up, builds and runs every test (ctest; one process per test case), then each libFuzzer harness for
# $LLMX_FUZZ_SECONDS (default 30) seconds. Ends with the fuzzers' summary lines.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh" tests
build="${LLMX_BUILD_DIR:-$root/build}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cd "$build"
ctest --output-on-failure -j "${LLMX_JOBS:-$(nproc)}" --timeout 600
# A short run of each libFuzzer harness (tests/fuzz/; scripts/fuzz.sh runs them 10 minutes each).
bash "$root/scripts/fuzz.sh" "${LLMX_FUZZ_SECONDS:-30}"
