// The workload stage: what the system is asked to compute, as steps of ops, taken from a decode trace
// (traces/FORMAT.md). Plain C++ (no SystemC): a trace and a WorkloadSpec in, a Workload out.
//
// A step is one pass of the model: the prefill (the prompt of every sequence, step 0) or one decode step (one
// token per sequence). The workload keeps the trace's prefill when asked to (`include_prefill`) and its first
// `decode_steps` decode steps, each op as the trace records it, and says what every step exchanges with the
// host: the token ids it consumes (the prompts, or the previous step's tokens) and the tokens it produces.
// Leaves out: where anything lives or runs (explorer/plan/), how ops are launched (explorer/runtime/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "explorer/trace/trace.h"
#include "models/core/params.h"

namespace llmx {

struct WorkloadSpec {
  std::string trace_path;
  uint32_t decode_steps = 0;  // 0 = all decode steps of the trace
  bool include_prefill = false;
  uint32_t token_bytes = 4;  // bytes per token id over the host link

  // Reads the `workload:` keys of the stage (the trace, what of it to run).
  static WorkloadSpec read(Params& workload);
};

struct WorkloadStep {
  uint32_t index = 0;  // the step number (0 = the prefill when there is one)
  trace::Phase phase = trace::Phase::decode;
  uint32_t context_len = 0;  // tokens in each sequence's KV cache after the step
  uint64_t tokens_in = 0;    // token ids the step consumes (all prompts, or one per sequence)
  uint64_t tokens_out = 0;   // tokens the step produces (one per sequence)
  std::vector<trace::Op> ops;
};

struct Workload {
  trace::Header header;  // the model and the run's shape (batch, prompt, steps) as the steps have them
  std::vector<trace::WeightInfo> weights;
  std::vector<WorkloadStep> steps;
  uint32_t token_bytes = 4;

  uint32_t batch() const { return header.batch > 0 ? header.batch : 1; }
};

// The workload `spec` asks of `trace`.
Workload build_workload(const trace::Trace& trace, const WorkloadSpec& spec);

}  // namespace llmx
