// Tells AddressSanitizer that the caller is back on the main thread's own stack, after sc_start returns.
// Debian's SystemC 2.3.4 announces its coroutine switches to ASan but never records the main coroutine's
// stack, so once the simulation has run ASan takes the main stack for an unknown one (or for the last
// thread's), and every exception thrown afterwards (a simulation's error rethrown, an output that cannot be
// written) ends in a false "stack-buffer-overflow" and an abort instead of one line and exit 1. Without ASan
// this does nothing. Left out: the other sanitizers' fiber interfaces (UBSan and the fuzzers need none).
#pragma once

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LLMX_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define LLMX_ASAN 1
#endif

#ifdef LLMX_ASAN
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace llmx {

inline void sanitizer_back_on_main_stack() {
#ifdef LLMX_ASAN
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  size_t size = 0;
  const int got = pthread_attr_getstack(&attr, &bottom, &size);
  pthread_attr_destroy(&attr);
  if (got != 0) return;
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

}  // namespace llmx
