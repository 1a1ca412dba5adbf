#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds into build/ (Release with debug info).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" "$@"
build="${LLMX_BUILD_DIR:-$root/build}"
jobs="${LLMX_JOBS:-$(nproc)}"
# Test discovery runs the test binary at build time: keep SystemC's banner out of the output.
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$jobs"
