#!/usr/bin/env bash
# The LPDDR-vs-HBM study (configs/studies/lpddr-vs-hbm.yaml): makes the decode traces it needs, runs the sweep
# (one process per point, all cores), marks the Pareto frontier and writes the report.
#   scripts/study.sh            results in results/study/ (report.html, results.csv); override with LLMX_OUT
# Traces: Llama-2-7B quantized from the llama.cpp F16 capture (traces/captured/), Llama-2-13B and -70B
# generated from their public configs (traces/model_configs.json); weights F16, INT8, INT4 (group 128, FP16
# scale and zero) and 3-bit binary coding (LUT-GEMM, group 128); batch 1, 8, 64; prompt 32, 2 decode steps.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${LLMX_BUILD_DIR:-$root/build}"
out="${LLMX_OUT:-$root/results/study}"
traces="$root/results/study-traces"
explorer="$build/explorer"
mkdir -p "$traces"
for fmt in F16 INT8_G128 INT4_G128 BCQ3_G128; do
  for batch in 1 8 64; do
    t="$traces/llama-2-7b-$fmt-b$batch.lxt.gz"
    [ -f "$t" ] || "$explorer" trace quantize "$root/traces/captured/llama-2-7b-f16.lxt.gz" --weights "$fmt" \
        --batch "$batch" --steps 2 --out "$t" >/dev/null
    for model in 13b 70b; do
      t="$traces/llama-2-$model-$fmt-b$batch.lxt.gz"
      [ -f "$t" ] || "$explorer" trace gen "Llama-2-${model^^}" --weights "$fmt" --batch "$batch" --prompt 32 \
          --steps 2 --out "$t" >/dev/null
    done
  done
done
"$explorer" sweep "$root/configs/studies/lpddr-vs-hbm.yaml" -j "${LLMX_JOBS:-$(nproc)}" --out "$out"
"$explorer" sweep pareto "$out/results.csv" --max tokens_per_s --min j_per_token
"$explorer" report "$out"
