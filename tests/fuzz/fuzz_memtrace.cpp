// libFuzzer harness: the memory-trace reader (DRAMSys .stl, Ramulator 2 LD/ST and address traces). Any
// exception other than llmx::Error, a crash or a sanitizer report is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "explorer/memtrace/reader.h"
#include "models/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the file kind; the rest is the trace.
  static const char* const kinds[] = {".stl", ".trace", ".o3"};
  const std::string path = "/tmp/llmx-fuzz-memtrace-" + std::to_string(::getpid()) + kinds[data[0] % 3];
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data + 1, 1, size - 1, f);
  std::fclose(f);
  try {
    llmx::MemoryTraceReader reader(path, 1.0, 64);
    llmx::dram::Access a;
    for (int i = 0; i < 100000 && reader.next(a); ++i) {
    }
  } catch (const llmx::Error&) {
  }
  std::remove(path.c_str());
  return 0;
}
