#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz/ with clang (ASan + UBSan) in build-fuzz (or
# $LLMX_FUZZ_BUILD_DIR) and runs each for SECONDS (default 600), $LLMX_JOBS (default 2) at a time, each on its
# corpus in build-fuzz/corpus/<harness> seeded from the shipped configs, traces and tests/fuzz/corpus/.
#   scripts/fuzz.sh [SECONDS] [config|trace|memtrace|filter ...]
# Exits 1 on a finding, printing the input that triggered it (build-fuzz/findings/) and the report's tail.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-600}"
[ $# -gt 0 ] && shift
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(config trace memtrace filter)
build="${LLMX_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${LLMX_JOBS:-2}"
cxx="$(command -v clang++-14 || command -v clang++ || true)"
[ -n "$cxx" ] || { echo "fuzz.sh: clang++ not found (scripts/setup.sh tests installs it)" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja -DLLMX_FUZZ=ON -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("fuzz_$h"); done
mkdir -p "$build/logs"
cmake --build "$build" -j "$jobs" --target "${targets[@]}" >"$build/logs/build.log" 2>&1 || {
  tail -40 "$build/logs/build.log" >&2
  echo "fuzz.sh: building the harnesses failed (full log: $build/logs/build.log)" >&2
  exit 2
}

seeds() {
  case "$1" in
    config) echo "$root/configs" ;;
    *) echo "$root/tests/fuzz/corpus/$1" ;;
  esac
}
max_len() {
  case "$1" in
    trace) echo 100000 ;;
    config) echo 16384 ;;
    *) echo 4096 ;;
  esac
}
mkdir -p "$build/findings" "$build/logs"
run_one() {
  local h="$1"
  mkdir -p "$build/corpus/$h"
  "$build/tests/fuzz/fuzz_$h" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$h")" \
    -print_final_stats=1 -artifact_prefix="$build/findings/$h-" "$build/corpus/$h" "$(seeds "$h")" \
    >"$build/logs/$h.log" 2>&1
}
status=0
pids=()
names=()
for h in "${harnesses[@]}"; do
  run_one "$h" &
  pids+=($!)
  names+=("$h")
  if [ ${#pids[@]} -ge "$jobs" ]; then
    if ! wait "${pids[0]}"; then status=1; echo "fuzz: finding in ${names[0]}: see $build/logs/${names[0]}.log"; tail -20 "$build/logs/${names[0]}.log"; fi
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then status=1; echo "fuzz: finding in ${names[$i]}: see $build/logs/${names[$i]}.log"; tail -20 "$build/logs/${names[$i]}.log"; fi
done
for h in "${harnesses[@]}"; do
  runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/logs/$h.log" | grep -o '[0-9]*$' || echo '?')"
  echo "fuzz: $h: ${seconds} s, $runs runs, $(ls "$build/corpus/$h" | wc -l) corpus inputs"
done
exit "$status"
