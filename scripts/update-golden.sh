#!/usr/bin/env bash
# Rewrites the golden results (tests/golden/) from the current build. Run it only when a change is meant to
# move results, and say in the commit which figures moved and why; `git diff --stat tests/golden` shows which.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
build="${LLMX_BUILD_DIR:-$root/build}"
cd "$build"
LLMX_UPDATE_GOLDEN=1 SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 ctest -R '^golden:' -j "${LLMX_JOBS:-$(nproc)}" --output-on-failure >/dev/null
git -C "$root" status --short tests/golden
