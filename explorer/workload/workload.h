// The workload stage: what the system is asked to compute, as steps of ops, taken from a decode trace
// (traces/FORMAT.md). Plain C++ (no SystemC): a trace and a WorkloadSpec in, a Workload out.
//
// A step is one pass of the model: the prefill (the prompt of every sequence, step 0) or one decode step (one
// token per sequence). The workload's shape is a parameter of the run, applied to whatever trace it is
// given: `batch` sequences, `prompt_tokens` per sequence, decoding from `context_tokens` (the tokens in each
// sequence's KV cache when the first decode step runs: the prompt, or more when the prompt follows a cached
// prefix) for `decode_steps` steps. Left at 0 each takes the trace's own value, and a workload of the trace's
// own shape is its steps exactly as recorded; any other shape re-derives the trace's prefill and one of its
// decode steps at the asked shapes (explorer/trace/reshape.h: weights stay, what scales with tokens and
// context scales, a sliding window bounds the attended keys, experts follow the tokens). Decode step i then
// runs at context context_tokens + i, so a run at an 8k context simulates its few decode steps at 8k, not
// the 8k steps before them. A context beyond the model's maximum positions (the trace's `max_position`, or
// traces/model_configs.json for a version-1 trace of a known model) is refused, naming the key.
// The workload says what every step exchanges with the host: the token ids it consumes (the prompts, or the
// previous step's tokens) and the tokens it produces.
// Leaves out: where anything lives or runs (explorer/plan/), how ops are launched (explorer/runtime/),
// sequences of different lengths in one batch (every sequence has the same prompt and context).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "explorer/trace/trace.h"
#include "models/core/params.h"

namespace llmx {

struct ParamSchema;
// The declarations of the `workload:` keys (read here and by the decode driver).
const ParamSchema& workload_schema();

struct WorkloadSpec {
  std::string trace_path;
  uint32_t batch = 0;           // sequences decoded together; 0 = the trace's
  uint32_t prompt_tokens = 0;   // prompt tokens per sequence; 0 = the trace's
  uint32_t context_tokens = 0;  // KV-cache tokens per sequence when decoding starts; 0 = the prompt
  uint32_t decode_steps = 0;    // 0 = the trace's
  bool include_prefill = false;
  uint32_t token_bytes = 4;  // bytes per token id over the host link
  // Reports a bad value of key `key` (throws); by default "workload.<key>: message".
  std::function<void(const std::string& key, const std::string& message)> fail;

  // Reads the `workload:` keys of the stage (the trace, its shape, what of it to run); errors name the key
  // with its file:line.
  static WorkloadSpec read(Params& workload);  // binds it to workload_schema()
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
  uint32_t context_tokens = 0;  // KV-cache tokens per sequence before the first decode step
  bool reshaped = false;        // the steps were re-derived at another shape than the trace's

  uint32_t batch() const { return header.batch > 0 ? header.batch : 1; }
};

// The workload `spec` asks of `trace`. Throws (through spec.fail) for a shape the model cannot take.
Workload build_workload(const trace::Trace& trace, const WorkloadSpec& spec);

// The model's maximum positions: the trace's header, else traces/model_configs.json's entry for its model;
// 0 when neither says.
uint32_t max_positions(const trace::Header& header);

}  // namespace llmx
