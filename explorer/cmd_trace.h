// `explorer trace ...`: inspect, generate and transform decode traces (traces/FORMAT.md).
//   explorer trace info <trace> [--bandwidth-gbps X] [--csv <file>]
//   explorer trace gen <model|config.json> --out <file> [--weights F] [--group G]
//                      [--embeddings auto|keep|same] [--kv D] [--act D] [--batch N] [--prompt N] [--steps N]
//                      [--flash-attn 0|1] [--configs <model_configs.json>]
//   explorer trace quantize <in> --out <file> [--weights F] [--group G] [--embeddings ...] [--kv D] [--act D]
//                      [--batch N] [--steps N]
// explorer/main.cpp calls cmd_trace with the arguments after "trace" and turns a thrown llmx::Error into
// "explorer: <message>" and exit 1.
#pragma once

#include <string>
#include <vector>

namespace llmx::trace {

// Runs one `explorer trace` subcommand; returns the exit code. User errors throw llmx::Error.
int cmd_trace(const std::vector<std::string>& args);
// The usage text of `explorer trace`.
const char* trace_usage();

}  // namespace llmx::trace
