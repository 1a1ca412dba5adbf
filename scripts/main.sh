#!/usr/bin/env bash
# The main job: sets up, builds, and runs the default design point (the LPDDR-vs-HBM study replaces it once it
# exists). Results go to results/ (override with LLMX_OUT).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
build="${LLMX_BUILD_DIR:-$root/build}"
out="${LLMX_OUT:-$root/results/default}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
"$build/explorer" run "$root/configs/systems/default.yaml" --out "$out"
echo "results in $out:"
column -s, -t < "$out/summary.csv" 2>/dev/null || cat "$out/summary.csv"
