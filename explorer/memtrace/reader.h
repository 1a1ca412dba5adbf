// Memory-access traces for `explorer memtrace`, in the formats the reference simulators read, detected per
// line:
//   DRAMSys .stl:  "<time>: read|write <addr> [<data hex>]"  (time in trace-clock cycles; the access size is
//   the
//                  data field's bytes, or access_bytes without one)
//   Ramulator 2:   "LD <addr>" / "ST <addr>" (load/store trace), "R <addr>" / "W <addr>" (read/write trace),
//                  "<bubble_count> <addr> [<writeback addr>]" (SimpleO3 trace: bubbles = trace-clock cycles
//                  before the access; a writeback address adds a write)
// Addresses are hex (0x...) or decimal digits, no sign. Blank lines (any whitespace) and lines starting with
// '#' are skipped. Every line the reader does not understand, a directory and a trace without accesses are
// an llmx::Error naming file:line.
// Left out: DRAMSys relative timestamps "(n)" and its repeat/loop syntax, Ramulator's multi-core trace lists.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "models/memory/dram/memory_system.h"

namespace llmx {

class MemoryTraceReader {
 public:
  // cycle_ns: length of one trace-clock cycle; access_bytes: size of an access without a data field.
  MemoryTraceReader(const std::string& path, double cycle_ns, uint32_t access_bytes);

  // The next access in trace order; false at the end of the trace.
  bool next(dram::Access& a);

 private:
  [[noreturn]] void bad(const std::string& what) const;
  void parse(const std::string& line, dram::Access& a);

  std::string path_;
  std::ifstream in_;
  double cycle_ns_;
  uint32_t access_bytes_;
  uint64_t line_no_ = 0;
  uint64_t accesses_ = 0;
  double time_ns_ = 0, last_stamp_ns_ = 0;
  std::optional<dram::Access> pending_write_;
};

}  // namespace llmx
