#!/usr/bin/env bash
# The main job: sets up, builds, and runs the LPDDR-vs-HBM study (configs/studies/lpddr-vs-hbm.yaml; 52 points
# of 32 decode steps, about 10 minutes on 2 idle cores). Results: results/study/report.html (open it in
# a browser) and results.csv.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/build.sh"
out="${LLMX_OUT:-$root/results/study}"
LLMX_OUT="$out" bash "$root/scripts/study.sh"
echo
cat "$out/report.txt"
echo
echo "report with charts: $out/report.html"
