// `explorer memtrace <memory.yaml> <trace> [--out <file.csv>] [--set k=v ...]`: replays a memory access trace
// (DRAMSys .stl or Ramulator 2 formats) on the DRAM channels described by memory.yaml, with the command-level
// model, and writes CSV rows: sustained bandwidth, share of peak, read latency (mean, p50, p99), row-hit
// rate, energy by kind and pJ/bit, for the system and per channel.
#pragma once

namespace llmx {

class CommandLine;
void add_memtrace_command(CommandLine& cli);

}  // namespace llmx
