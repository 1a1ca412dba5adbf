// `explorer memtrace <memory.yaml> <trace> [--out <file.csv>] [--set k=v ...]`: replays a memory access trace
// (DRAMSys .stl or Ramulator 2 formats) on the DRAM channels described by memory.yaml, with the command-level
// model, and writes one CSV row: sustained bandwidth, share of peak, read latency (mean, p50, p99), row-hit
// rate, energy by kind and pJ/bit. Returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace llmx {

int cmd_memtrace(const std::vector<std::string>& args);

}  // namespace llmx
