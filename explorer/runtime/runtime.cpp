// The runtime stage; see runtime.h.
#include "explorer/runtime/runtime.h"

#include <algorithm>

namespace llmx {

Picoseconds picoseconds(double ns) {
  volatile double ps = ns * 1000.0 + 0.5;  // the rounding sc_time applies at a 1 ps resolution
  return static_cast<Picoseconds>(ps);
}

RuntimeConfig RuntimeConfig::read(Params& d) {
  RuntimeConfig c;
  c.dispatch_latency_ns =
      d.optional<double>("dispatch_latency_ns", 0.0, "time to launch one op", Bound::non_negative());
  c.dispatch_overlap = d.optional<bool>(
      "dispatch_overlap", false, "launches overlap the previous op (graph launch) instead of following it");
  return c;
}

Schedule make_schedule(const Plan& plan, const RuntimeConfig& config) {
  Schedule s;
  s.steps.reserve(plan.steps.size());
  const Picoseconds launch = picoseconds(config.dispatch_latency_ns);
  for (const StepPlan& step : plan.steps) {
    std::vector<Kernel> kernels(step.ops.size());
    for (uint32_t i = 0; i < kernels.size(); ++i) kernels[i] = {i, 1, launch, config.dispatch_overlap};
    s.steps.push_back(std::move(kernels));
  }
  return s;
}

Picoseconds Launcher::start(const Kernel& kernel, Picoseconds ready) {
  const Picoseconds start =
      kernel.overlapped ? std::max(ready, previous_start_ + kernel.launch) : ready + kernel.launch;
  dispatch_ += start - ready;
  previous_start_ = start;
  return start;
}

}  // namespace llmx
