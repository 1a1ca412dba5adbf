// The workload stage; see workload.h.
#include "explorer/workload/workload.h"

#include <algorithm>

#include "explorer/trace/generator.h"
#include "explorer/trace/reshape.h"
#include "models/core/error.h"

#include "models/core/param_schema.h"

namespace llmx {

using trace::Op;
using trace::Phase;

const ParamSchema& workload_schema() {
  static const ParamSchema s{
      "workload",
      "the decode trace and what of it to simulate (`workload:`; each 0 = the trace's own value)",
      {{"",
        "",
        {text("trace", kRequired, "decode trace file (traces/FORMAT.md)"),
         integer(
             "batch", "0", Bound::range(0, 1 << 20),
             "sequences decoded together (0 = the trace's batch; at most 2^20, so byte counts fit 64 bits)"),
         integer("prompt_tokens", "0", Bound::range(0, 1 << 24),
                 "prompt tokens per sequence (0 = the trace's prompt length; at most 2^24)"),
         integer("context_tokens", "0", Bound::range(0, 1 << 24),
                 "tokens in each sequence's KV cache when decoding starts (0 = the prompt; more = a cached "
                 "prefix; at most 2^24)"),
         integer("decode_steps", "0", Bound::range(0, 1 << 24),
                 "decode steps to simulate (0 = all in the trace; at most 2^24)"),
         flag("include_prefill", "false", "also simulate the prefill step"),
         with_unit(integer("token_bytes", "4", Bound::range(1, 4096), "bytes per token id on the host link"),
                   "B"),
         flag("per_op_csv", "false", "write a row per simulated op (ops.csv; read by the decode driver)")}}}};
  return s;
}

namespace {
const ParamSchemaRegistrar workload_schema_registrar(&workload_schema);
}  // namespace

WorkloadSpec WorkloadSpec::read(Params& w) {
  w.bind(workload_schema());
  WorkloadSpec s;
  s.trace_path = w.get<std::string>("trace");
  s.batch = w.get<uint32_t>("batch");
  s.prompt_tokens = w.get<uint32_t>("prompt_tokens");
  s.context_tokens = w.get<uint32_t>("context_tokens");
  s.decode_steps = w.get<uint32_t>("decode_steps");
  s.include_prefill = w.get<bool>("include_prefill");
  s.token_bytes = w.get<uint32_t>("token_bytes");
  s.fail = [w](const std::string& key, const std::string& message) { w.fail(key, message); };
  return s;
}

uint32_t max_positions(const trace::Header& h) {
  if (h.max_position) return h.max_position;
  try {
    const auto models = trace::load_model_configs(trace::default_model_configs_path());
    return trace::find_model(models, h.model).max_position;
  } catch (const Error&) {
    return 0;
  }
}

namespace {

[[noreturn]] void fail(const WorkloadSpec& spec, const std::string& key, const std::string& message) {
  if (spec.fail) spec.fail(key, message);
  throw Error(cat("workload.", key, ": ", message));
}

// The run's shape, each figure resolved against the trace's.
struct Shape {
  uint32_t batch = 1, prompt = 0, context = 0, steps = 0;
};

// The steps of a trace, in order, each as its ops.
struct TraceSteps {
  std::vector<std::pair<uint32_t, std::vector<Op>>> decode;  // (step number, ops)
  std::vector<Op> prefill;
};

TraceSteps split_steps(const trace::Trace& trace) {
  TraceSteps s;
  for (const Op& op : trace.ops) {
    if (op.phase == Phase::prefill) {
      s.prefill.push_back(op);
      continue;
    }
    if (s.decode.empty() || s.decode.back().first != op.step)
      s.decode.emplace_back(op.step, std::vector<Op>{});
    s.decode.back().second.push_back(op);
  }
  return s;
}

uint32_t step_context(const std::vector<Op>& ops) {
  uint32_t c = 0;
  for (const Op& op : ops) c = std::max(c, op.context_len);
  return c;
}

// The key a context limit is charged to: the one the user set that moves the context furthest.
std::string context_key(const WorkloadSpec& spec) {
  if (spec.context_tokens) return "context_tokens";
  if (spec.prompt_tokens) return "prompt_tokens";
  return "decode_steps";
}

Shape resolve_shape(const trace::Trace& trace, const WorkloadSpec& spec, size_t trace_decode_steps) {
  const trace::Header& h = trace.header;
  Shape s;
  s.batch = spec.batch ? spec.batch : std::max<uint32_t>(h.batch, 1);
  s.prompt = spec.prompt_tokens ? spec.prompt_tokens : h.prompt_len;
  s.context = spec.context_tokens ? spec.context_tokens : s.prompt;
  s.steps = spec.decode_steps ? spec.decode_steps : static_cast<uint32_t>(trace_decode_steps);
  if (spec.context_tokens && s.context < s.prompt)
    fail(spec, "context_tokens",
         cat(s.context, " tokens is less than the prompt (", s.prompt,
             " tokens): decoding starts after the prompt (set context_tokens >= prompt_tokens)"));
  const bool as_traced = s.batch == h.batch && s.prompt == h.prompt_len && s.context == h.prompt_len &&
                         s.steps <= trace_decode_steps;
  if (as_traced) return s;
  const uint32_t limit = max_positions(h);
  const uint64_t last = uint64_t{s.context} + s.steps;
  if (limit == 0)
    fail(spec, context_key(spec),
         cat("the trace does not give ", h.model,
             "'s maximum positions (header max_position, format version 2) "
             "and traces/model_configs.json does not know the model: cannot check the context"));
  if (spec.prompt_tokens && s.prompt > limit)
    fail(spec, "prompt_tokens",
         cat(s.prompt, " tokens is beyond ", h.model, "'s maximum positions (", limit, ")"));
  if (last > limit)
    fail(spec, context_key(spec),
         cat("decoding ", s.steps, " steps from context ", s.context, " reaches ", last, " tokens, beyond ",
             h.model, "'s maximum positions (", limit, ")"));
  return s;
}

WorkloadStep make_step(uint32_t index, Phase phase, uint64_t batch, uint32_t prompt, std::vector<Op> ops) {
  WorkloadStep step;
  step.index = index;
  step.phase = phase;
  step.tokens_in = batch * (phase == Phase::prefill ? prompt : 1);
  step.tokens_out = batch;
  step.context_len = step_context(ops);
  step.ops = std::move(ops);
  return step;
}

}  // namespace

Workload build_workload(const trace::Trace& trace, const WorkloadSpec& spec) {
  Workload w;
  w.header = trace.header;
  w.weights = trace.weights;
  w.token_bytes = spec.token_bytes;
  const TraceSteps steps = split_steps(trace);
  const Shape s = resolve_shape(trace, spec, steps.decode.size());
  const trace::Header& h = trace.header;
  const uint32_t b0 = std::max<uint32_t>(h.batch, 1);
  const bool same_batch = s.batch == b0;
  w.header.batch = s.batch;
  w.header.prompt_len = s.prompt;
  w.header.decode_steps = s.steps;
  w.context_tokens = s.context;
  if (!w.header.max_position) w.header.max_position = max_positions(h);

  if (spec.include_prefill) {
    if (steps.prefill.empty())
      fail(spec, "include_prefill",
           cat("the trace has no prefill step (its prompt_len is ", h.prompt_len, ")"));
    std::vector<Op> ops = steps.prefill;
    if (!same_batch || s.prompt != h.prompt_len || s.context != h.prompt_len) {
      const trace::StepShape from{b0, h.prompt_len, step_context(ops)};
      ops = trace::reshape_step(ops, from, {s.batch, s.prompt, s.context}, 0, h, trace.weights);
      w.reshaped = true;
    }
    w.steps.push_back(make_step(0, Phase::prefill, s.batch, s.prompt, std::move(ops)));
  }
  if (s.steps > 0 && steps.decode.empty()) fail(spec, "decode_steps", "the trace has no decode step");
  const bool decode_as_traced = same_batch && s.context == h.prompt_len;
  for (uint32_t i = 1; i <= s.steps; ++i) {
    std::vector<Op> ops;
    if (decode_as_traced && i <= steps.decode.size()) {
      ops = steps.decode[i - 1].second;
      for (Op& op : ops) op.step = steps.decode[i - 1].first;
    } else {
      const std::vector<Op>& t = steps.decode.front().second;
      const trace::StepShape from{b0, 1, step_context(t)};
      ops = trace::reshape_step(t, from, {s.batch, 1, uint64_t{s.context} + i}, i, h, trace.weights);
      w.reshaped = true;
    }
    const uint32_t index = ops.empty() ? i : ops.front().step;
    w.steps.push_back(make_step(index, Phase::decode, s.batch, s.prompt, std::move(ops)));
  }
  return w;
}

}  // namespace llmx
