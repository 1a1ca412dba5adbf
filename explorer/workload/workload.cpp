// The workload stage; see workload.h.
#include "explorer/workload/workload.h"

#include <algorithm>

namespace llmx {

using trace::Op;
using trace::Phase;

WorkloadSpec WorkloadSpec::read(Params& w) {
  WorkloadSpec s;
  s.trace_path = w.required<std::string>("trace", "decode trace file (traces/FORMAT.md)");
  s.decode_steps = w.optional<uint32_t>("decode_steps", 0, "decode steps to simulate (0 = all in the trace)");
  s.include_prefill = w.optional<bool>("include_prefill", false, "also simulate the trace's prefill step");
  s.token_bytes =
      w.optional<uint32_t>("token_bytes", 4, "bytes per token id on the host link", Bound::at_least(1));
  return s;
}

namespace {

uint32_t first_decode_step(const trace::Trace& trace) {
  uint32_t first = UINT32_MAX;
  for (const Op& op : trace.ops)
    if (op.phase == Phase::decode) first = std::min(first, op.step);
  return first == UINT32_MAX ? 0 : first;
}

}  // namespace

Workload build_workload(const trace::Trace& trace, const WorkloadSpec& spec) {
  Workload w;
  w.header = trace.header;
  w.weights = trace.weights;
  w.token_bytes = spec.token_bytes;
  const uint64_t batch = w.batch();
  const uint32_t first_decode = first_decode_step(trace);
  auto selected = [&](const Op& op) {
    if (op.phase == Phase::prefill) return spec.include_prefill;
    return spec.decode_steps == 0 || op.step < first_decode + spec.decode_steps;
  };
  for (const Op& op : trace.ops) {
    if (!selected(op)) continue;
    if (w.steps.empty() || w.steps.back().index != op.step) {
      WorkloadStep step;
      step.index = op.step;
      step.phase = op.phase;
      step.tokens_in = batch * (op.phase == Phase::prefill ? trace.header.prompt_len : 1);
      step.tokens_out = batch;
      w.steps.push_back(std::move(step));
    }
    WorkloadStep& step = w.steps.back();
    step.context_len = std::max(step.context_len, op.context_len);
    step.ops.push_back(op);
  }
  return w;
}

}  // namespace llmx
