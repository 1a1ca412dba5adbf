#!/usr/bin/env bash
# The LPDDR-vs-HBM study (configs/studies/lpddr-vs-hbm.yaml): makes the decode traces it needs, runs the sweep
# (one process per point, all cores), marks the Pareto frontier and writes the report.
#   scripts/study.sh            results in results/study/ (report.html, results.csv); override with LLMX_OUT
# Traces: Llama-2-7B and Llama-3-8B quantized from their llama.cpp F16 captures (traces/captured/) to F16, INT4
# (group 128, FP16 scale and zero) and 3-bit binary coding (LUT-GEMM, group 128); the study sets batch, context
# and decode steps on them (workload.*). The report fails (--require-fit) if any point streams weights over the host link.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LLMX_BUILD_DIR:-$root/build}"
out="${LLMX_OUT:-$root/results/study}"
traces="$root/results/study-traces"
explorer="$build/explorer"
mkdir -p "$traces"
for model in llama-2-7b llama-3-8b; do
  for fmt in F16 INT4_G128 BCQ3_G128; do
    t="$traces/$model-$fmt.lxt.gz"
    [ -f "$t" ] || "$explorer" trace quantize "$root/traces/captured/$model-f16.lxt.gz" --weights "$fmt" \
        --steps 2 --out "$t" >/dev/null
  done
done
"$explorer" sweep "$root/configs/studies/lpddr-vs-hbm.yaml" -j "${LLMX_JOBS:-$(nproc)}" --out "$out"
"$explorer" sweep pareto "$out/results.csv" --max tokens_per_s --min j_per_token
"$explorer" report "$out" --require-fit
