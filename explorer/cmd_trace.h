// `explorer trace info | gen | quantize`: inspect, generate and transform decode traces (traces/FORMAT.md).
//   explorer trace info <trace> [--bandwidth-gbps X] [--out FILE.csv]
//   explorer trace gen <model|config.json> --out FILE [--weights F] [--group G] [--embeddings auto|keep|same]
//                      [--kv D] [--act D] [--batch N] [--prompt N] [--steps N] [--flash-attn 0|1] [--configs
//                      F]
//   explorer trace quantize <in> --out FILE [--weights F] [--group G] [--embeddings ...] [--kv D] [--act D]
//                      [--batch N] [--steps N]
#pragma once

namespace llmx {

class CommandLine;
void add_trace_commands(CommandLine& cli);

}  // namespace llmx
