// libFuzzer harness: the LXT trace reader on plain text and gzip input (the bytes are written to a file,
// as the reader reads paths). Any exception other than llmx::Error, a crash or a sanitizer report is a
// finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "explorer/trace/trace.h"
#include "models/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/llmx-fuzz-trace-" + std::to_string(::getpid()) + ".lxt";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const llmx::trace::Trace t = llmx::trace::read_trace(path);
    (void)llmx::trace::render_trace(t);
  } catch (const llmx::Error&) {
  }
  return 0;
}
