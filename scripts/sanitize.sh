#!/usr/bin/env bash
# Builds the whole project with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan (or
# $LLMX_ASAN_BUILD_DIR) and runs every test under ctest there. Any sanitizer report fails the test that
# triggered it (halt_on_error, abort on UB). Slow: expect several times the normal suite's time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup.sh" tests
build="${LLMX_ASAN_BUILD_DIR:-$root/build-asan}"
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMX_LTO=OFF "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j "${LLMX_JOBS:-$(nproc)}"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
# SystemC's coroutines switch stacks, which ASan's stack-use-after-return and leak checks cannot follow.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=0:detect_stack_use_after_return=0:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
ctest --output-on-failure -j "${LLMX_JOBS:-$(nproc)}" --timeout 1800 "$@"
