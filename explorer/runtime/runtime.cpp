// The runtime stage; see runtime.h.
#include "explorer/runtime/runtime.h"

#include <algorithm>
#include <cctype>

#include "models/core/error.h"
#include "models/core/param_schema.h"

namespace llmx {

Picoseconds picoseconds(double ns) {
  volatile double ps = ns * 1000.0 + 0.5;  // the rounding sc_time applies at a 1 ps resolution
  return static_cast<Picoseconds>(ps);
}

namespace {

bool engine_op_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isupper(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) &&
        c != '_')
      return false;
  return true;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> parts(1);
  for (char c : s) {
    if (c == sep)
      parts.emplace_back();
    else
      parts.back().push_back(c);
  }
  return parts;
}

// "RMS_NORM+MUL": two or more engine ops launched as one kernel.
std::vector<std::string> read_fusion(Params& d, const std::string& entry) {
  const auto ops = split_on(entry, '+');
  if (ops.size() < 2)
    d.fail("fuse_ops", cat("'", entry, "': a fusion names two or more engine ops joined by '+'"));
  for (const auto& op : ops)
    if (!engine_op_name(op))
      d.fail("fuse_ops", cat("'", entry, "': '", op, "' is not an engine op name (A-Z, 0-9, _)"));
  return ops;
}

// "SOFT_MAX=3": an engine op the runtime runs as 2..64 kernels.
std::pair<std::string, uint32_t> read_split(Params& d, const std::string& entry) {
  const auto parts = split_on(entry, '=');
  const bool digits = parts.size() == 2 && !parts[1].empty() && parts[1].size() <= 2 &&
                      std::all_of(parts[1].begin(), parts[1].end(), ::isdigit);
  const int n = digits ? std::stoi(parts[1]) : 0;
  if (!digits || !engine_op_name(parts[0]) || n < 2 || n > 64)
    d.fail("split_ops", cat("'", entry, "': expected ENGINE_OP=N with N kernels, 2 <= N <= 64"));
  return {parts[0], static_cast<uint32_t>(n)};
}

// How many ops from `ops[i]` one fusion rule covers (1 when none applies).
uint32_t fused_run(const std::vector<std::vector<std::string>>& rules, const std::vector<trace::Op>& ops,
                   const std::vector<PlannedOp>& planned, size_t i) {
  for (const auto& rule : rules) {
    if (i + rule.size() > planned.size()) continue;
    bool match = true;
    for (size_t j = 0; j < rule.size() && match; ++j) {
      const trace::Op& op = ops[planned[i + j].op];
      match = op.engine_op == rule[j] && op.layer == ops[planned[i].op].layer;
    }
    if (match) return static_cast<uint32_t>(rule.size());
  }
  return 1;
}

}  // namespace

namespace {

const ParamSchema& driver_schema() {
  static const ParamSchema s = [] {
    ParamSection top{
        "",
        "the `driver:` section: the runtime (configs/runtime/) and the placement of weights and KV cache",
        {number("dispatch_latency_ns", "0", Bound::non_negative(), "time to launch one kernel"),
         flag("dispatch_overlap", "false",
              "launches overlap the previous kernel (graph launch) instead of following it"),
         number("token_overhead_ns", "0", Bound::non_negative(),
                "host time per step before its first kernel (graph build, encoding, sync, sampling)"),
         number("min_kernel_ns", "0", Bound::non_negative(),
                "shortest duration of a launched kernel: fixed part"),
         with_unit(number("min_kernel_cycles", "0", Bound::non_negative(),
                          "shortest duration of a launched kernel: part in core-clock cycles"),
                   "cycles"),
         list("fuse_ops", ParamKind::texts, std::string("[]"), Bound::any(),
              "engine-op sequences launched as one kernel, e.g. RMS_NORM+MUL"),
         list("split_ops", ParamKind::texts, std::string("[]"), Bound::any(),
              "engine ops the runtime runs as several kernels, e.g. SOFT_MAX=3 (2 to 64)")}};
    for (const auto& d : PlanConfig::keys()) top.keys.push_back(d);
    return ParamSchema{"driver", "the decode driver's runtime model and placement (`driver:`)", {top}};
  }();
  return s;
}

const ParamSchemaRegistrar driver_schema_registrar(&driver_schema);

}  // namespace

RuntimeConfig RuntimeConfig::read(Params& d) {
  d.bind(driver_schema());
  RuntimeConfig c;
  c.dispatch_latency_ns = d.get<double>("dispatch_latency_ns");
  c.dispatch_overlap = d.get<bool>("dispatch_overlap");
  c.token_overhead_ns = d.get<double>("token_overhead_ns");
  c.min_kernel_ns = d.get<double>("min_kernel_ns");
  c.min_kernel_cycles = d.get<double>("min_kernel_cycles");
  for (const auto& e : d.get<std::vector<std::string>>("fuse_ops")) c.fuse_ops.push_back(read_fusion(d, e));
  for (const auto& e : d.get<std::vector<std::string>>("split_ops")) {
    c.split.push_back(read_split(d, e));
    for (size_t i = 0; i + 1 < c.split.size(); ++i)
      if (c.split[i].first == c.split.back().first) d.fail("split_ops", cat("'", e, "': op named twice"));
  }
  return c;
}

Picoseconds RuntimeConfig::min_kernel(double core_clock_hz) const {
  if (min_kernel_cycles <= 0) return picoseconds(min_kernel_ns);
  if (!(core_clock_hz > 0)) throw Error("min_kernel_cycles needs the clock of the cores running the kernels");
  return picoseconds(min_kernel_ns + min_kernel_cycles / core_clock_hz * 1e9);
}

Schedule make_schedule(const Plan& plan, const Workload& workload, const RuntimeConfig& config,
                       double core_clock_hz) {
  Schedule s;
  s.token_overhead = picoseconds(config.token_overhead_ns);
  s.steps.reserve(plan.steps.size());
  const Picoseconds launch = picoseconds(config.dispatch_latency_ns);
  const Picoseconds min_kernel = config.min_kernel(core_clock_hz);
  for (size_t st = 0; st < plan.steps.size(); ++st) {
    const auto& planned = plan.steps[st].ops;
    const auto& ops = workload.steps[st].ops;
    std::vector<Kernel> kernels;
    for (size_t i = 0; i < planned.size();) {
      Kernel k;
      k.first = static_cast<uint32_t>(i);
      k.count = fused_run(config.fuse_ops, ops, planned, i);
      if (k.count == 1)
        for (const auto& [name, n] : config.split)
          if (ops[planned[i].op].engine_op == name) k.launches = n;
      k.launch = launch * k.launches;
      k.min_duration = min_kernel * k.launches;
      k.overlapped = config.dispatch_overlap;
      kernels.push_back(k);
      i += k.count;
    }
    s.steps.push_back(std::move(kernels));
  }
  return s;
}

void Launcher::begin_step(Picoseconds now) {
  not_before_ = now + token_overhead_;
  previous_start_ = not_before_;
  steps_.emplace_back();
}

Picoseconds Launcher::start(const Kernel& kernel, Picoseconds ready) {
  const Picoseconds host_ready = std::max(ready, not_before_);
  const Picoseconds start =
      kernel.overlapped ? std::max(host_ready, previous_start_ + kernel.launch) : host_ready + kernel.launch;
  dispatch_ += start - ready;
  previous_start_ = start;
  if (!steps_.empty()) {
    StepRuntime& s = steps_.back();
    s.host += host_ready - ready;
    s.launch += start - host_ready;
    ++s.kernels;
    s.launches += kernel.launches;
  }
  return start;
}

Picoseconds Launcher::finish(const Kernel& kernel, Picoseconds start, Picoseconds done) {
  const Picoseconds end = std::max(done, start + kernel.min_duration);
  if (!steps_.empty()) steps_.back().min_kernel += end - done;
  return end;
}

}  // namespace llmx
