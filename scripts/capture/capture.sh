#!/usr/bin/env bash
# Maintainer step (not part of the test suite): record real decode traces and write them to traces/captured/.
#
#   scripts/capture/capture.sh [all|setup|llama|torch|convert|validate] [MODEL FTYPE ...]
#
# setup : npm-installs node-llama-cpp into $WORK/npm, clones the llama.cpp git bundle it ships into
#         $WORK/llama.cpp, builds libllama (CPU backend, Debian cmake/g++) into $WORK/build and links our
#         tracer (tracer.cpp) against it. Needs: nodejs/npm, cmake, g++, git (Debian packages).
# llama : for each model/ftype: make_gguf.py writes a sparse GGUF with zero weights at the model's real shapes,
#         the tracer runs PROMPT prompt tokens + DECODE decode steps recording every graph node, convert.py
#         writes traces/captured/<model>-<ftype>.lxt.gz. The GGUF is deleted afterwards unless KEEP_GGUF=1.
# convert: only re-run convert.py on the raw records of an earlier llama run ($WORK/raw, $WORK/gguf/*.json).
# validate: validate.py on every trace in traces/captured/ (weight bytes per step, KV growth, ops per block).
# torch : torch_capture.py runs an OPT model built in plain PyTorch under TorchDispatchMode and writes
#         traces/captured/<model>-f16-torch.lxt.gz (F16, meta tensors: dispatch without compute) and
#         <model>-bf16-torch.lxt.gz (real BF16 compute on the CPU), then checks that both have the same ops.
#         Needs Debian's python3-torch and python3-numpy.
#
# Environment: WORK (default /work/capture), PROMPT (32), DECODE (128), THREADS (2), NPM_VERSION (3.22.1),
#              TORCH_MODEL (OPT-6.7B; needs ~14 GB free memory for the BF16 run), TORCH_DECODE (DECODE).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
WORK="${WORK:-/work/capture}"
PROMPT="${PROMPT:-32}"
DECODE="${DECODE:-128}"
THREADS="${THREADS:-2}"
FLASH_ATTN="${FLASH_ATTN:-0}"  # 1: llama.cpp fused attention (FLASH_ATTN_EXT), trace name gets "-fa"
NPM_VERSION="${NPM_VERSION:-3.22.1}"
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1  # keep __pycache__ out of the repo
OUT="$REPO/traces/captured"

setup() {
  mkdir -p "$WORK/npm" "$WORK/gguf" "$WORK/raw"
  if [ ! -f "$WORK/npm/node_modules/node-llama-cpp/llama/gitRelease.bundle" ]; then
    (cd "$WORK/npm" && { [ -f package.json ] || echo '{"name":"capture","private":true}' > package.json; } &&
      npm install --ignore-scripts --no-audit --no-fund "node-llama-cpp@$NPM_VERSION")
  fi
  if [ ! -d "$WORK/llama.cpp/.git" ]; then
    git clone -q "$WORK/npm/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$WORK/llama.cpp"
  fi
  local commit
  commit="$(git -C "$WORK/llama.cpp" rev-parse --short=7 HEAD)"
  if [ ! -f "$WORK/build/src/libllama.a" ]; then
    cmake -S "$WORK/llama.cpp" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
      -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_COMMON=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF \
      -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
      -DLLAMA_BUILD_NUMBER=0 -DLLAMA_BUILD_COMMIT="$commit"
    cmake --build "$WORK/build" --target llama -j2
  fi
  local b="$WORK/build" l="$WORK/llama.cpp"
  g++ -std=c++17 -O2 -Wall -Wextra -I"$l/include" -I"$l/ggml/include" "$HERE/tracer.cpp" -o "$b/tracer" \
    "$b/src/libllama.a" "$b/ggml/src/libggml.a" "$b/ggml/src/libggml-cpu.a" "$b/ggml/src/libggml-base.a" \
    -fopenmp -lpthread -ldl
}

engine_version() {
  local nv commit date
  nv="$(node -p "require('$WORK/npm/node_modules/node-llama-cpp/package.json').version")"
  commit="$(git -C "$WORK/llama.cpp" rev-parse HEAD)"
  date="$(git -C "$WORK/llama.cpp" log -1 --format=%cs)"
  echo "llama.cpp ${commit:0:12} ($date, ggml $(sed -n 's/^set(GGML_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\))/\2/p' \
    "$WORK/llama.cpp/ggml/CMakeLists.txt" | paste -sd.)) bundled in node-llama-cpp $nv"
}

slug() { echo "$1" | tr 'A-Z' 'a-z'; }

capture_llama() {
  local model="$1" ftype="$2" decode="${3:-$DECODE}"
  local name gguf raw
  name="$(slug "$model")-$(slug "$ftype")"
  gguf="$WORK/gguf/$name.gguf"
  if [ "$FLASH_ATTN" = 1 ]; then name="$name-fa"; fi
  raw="$WORK/raw/$name.txt"
  mkdir -p "$WORK/gguf" "$WORK/raw" "$OUT"
  [ -f "$gguf" ] || $PY "$HERE/make_gguf.py" "$model" "$ftype" "$gguf"
  echo "== $name: prompt $PROMPT, decode $decode, threads $THREADS ($(date -u +%FT%TZ))"
  nice -n 10 "$WORK/build/tracer" -m "$gguf" -o "$raw" --prompt "$PROMPT" --decode "$decode" \
    --threads "$THREADS" --flash-attn "$FLASH_ATTN" > "$WORK/raw/$name.log" 2>&1
  convert_llama "$model" "$ftype" "$decode"
  [ "${KEEP_GGUF:-0}" = 1 ] || rm -f "$gguf"
}

# raw records -> traces/captured/<name>.lxt.gz (also usable alone on an earlier run's raw records)
convert_llama() {
  mkdir -p "$OUT"
  local model="$1" ftype="$2" decode="${3:-$DECODE}"
  local name json
  name="$(slug "$model")-$(slug "$ftype")"
  json="$WORK/gguf/$name.gguf.json"
  if [ "$FLASH_ATTN" = 1 ]; then name="$name-fa"; fi
  $PY "$HERE/convert.py" --raw "$WORK/raw/$name.txt" --gguf-json "$json" \
    --engine-version "$(engine_version)" --date "$(date -u -r "$WORK/raw/$name.txt" +%F)" \
    --command "scripts/capture/capture.sh llama $model $ftype \
(PROMPT=$PROMPT DECODE=$decode THREADS=$THREADS FLASH_ATTN=$FLASH_ATTN)" \
    -o "$OUT/$name.lxt.gz"
}

capture_torch() {
  local model="${TORCH_MODEL:-OPT-6.7B}" decode="${TORCH_DECODE:-$DECODE}"
  local base
  base="$(slug "$model")"
  mkdir -p "$OUT"
  # F16 through the dispatcher on meta tensors (this torch has no CPU F16 matmul), then the same model
  # computed for real in BF16 on the CPU; the two must give the same op records (same bytes per element).
  echo "== $base torch meta f16 + cpu bf16: prompt $PROMPT, decode $decode ($(date -u +%FT%TZ))"
  nice -n 10 $PY "$HERE/torch_capture.py" --model "$model" --dtype f16 --device meta --prompt "$PROMPT" \
    --decode "$decode" --command "scripts/capture/capture.sh torch (TORCH_MODEL=$model PROMPT=$PROMPT DECODE=$decode)" \
    -o "$OUT/$base-f16-torch.lxt.gz"
  nice -n 10 $PY "$HERE/torch_capture.py" --model "$model" --dtype bf16 --device cpu --threads "$THREADS" \
    --prompt "$PROMPT" --decode "$decode" \
    --command "scripts/capture/capture.sh torch (TORCH_MODEL=$model PROMPT=$PROMPT DECODE=$decode THREADS=$THREADS)" \
    -o "$OUT/$base-bf16-torch.lxt.gz"
  $PY "$HERE/validate.py" --compare "$OUT/$base-f16-torch.lxt.gz" "$OUT/$base-bf16-torch.lxt.gz"
}

ALL_LLAMA=(TinyLlama-1.1B F16 TinyLlama-1.1B Q8_0 TinyLlama-1.1B Q4_0
           Llama-2-7B Q4_0 Llama-2-7B Q8_0 Llama-2-7B F16
           Llama-3-8B Q4_0 Llama-3-8B Q8_0 Llama-3-8B F16)

# Everything runs from main(), parsed whole before it starts, so editing this file during a long capture
# cannot change what the running capture does.
main() {
  local cmd="${1:-all}"
  shift || true
  case "$cmd" in
    setup) setup ;;
    llama)
      setup
      if [ $# -eq 0 ]; then set -- "${ALL_LLAMA[@]}"; fi
      while [ $# -ge 2 ]; do capture_llama "$1" "$2"; shift 2; done ;;
    convert)
      while [ $# -ge 2 ]; do convert_llama "$1" "$2"; shift 2; done ;;
    validate) $PY "$HERE/validate.py" "$OUT"/*.lxt.gz ;;
    torch) capture_torch ;;
    all)
      setup
      set -- "${ALL_LLAMA[@]}"
      while [ $# -ge 2 ]; do capture_llama "$1" "$2"; shift 2; done
      capture_torch ;;
    *) echo "usage: $0 [all|setup|llama [MODEL FTYPE ...]|convert MODEL FTYPE ...|validate|torch]" >&2; exit 2 ;;
  esac
}

main "$@"
