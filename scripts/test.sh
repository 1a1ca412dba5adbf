#!/usr/bin/env bash
# Sets up, builds and runs every test (ctest; one process per test case). Ends with ctest's summary line.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh" tests
build="${LLMX_BUILD_DIR:-$root/build}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
cd "$build"
ctest --output-on-failure -j "${LLMX_JOBS:-$(nproc)}" --timeout 600
