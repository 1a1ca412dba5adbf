// Runtime shares of the decode time; see runtime_columns.h.
#include "explorer/run/runtime_columns.h"

namespace llmx {

std::vector<std::pair<std::string, double>> runtime_columns(const DecodeDriver& driver, double decode_s) {
  double host = 0, launch = 0, min_kernel = 0, kernels = 0, decode_steps = 0;
  const auto& runtime = driver.runtime_steps();
  for (size_t i = 0; i < driver.steps().size() && i < runtime.size(); ++i) {
    if (driver.steps()[i].phase != trace::Phase::decode) continue;
    host += runtime[i].host * 1e-12;
    launch += runtime[i].launch * 1e-12;
    min_kernel += runtime[i].min_kernel * 1e-12;
    kernels += static_cast<double>(runtime[i].launches);
    ++decode_steps;
  }
  double memory_bound = 0, ops = 0;
  for (const auto& [kind, g] : driver.kind_totals()) {
    memory_bound += g.memory_bound_time.to_seconds();
    ops += g.time.to_seconds();
  }
  auto share = [&](double s) { return decode_s > 0 ? s / decode_s : 0.0; };
  return {{"kernels_per_step", decode_steps > 0 ? kernels / decode_steps : 0.0},
          {"runtime_host_share", share(host)},
          {"runtime_launch_share", share(launch)},
          {"runtime_min_kernel_share", share(min_kernel)},
          {"memory_bound_share", share(memory_bound)},
          {"compute_bound_share", share(ops - memory_bound)}};
}

}  // namespace llmx
