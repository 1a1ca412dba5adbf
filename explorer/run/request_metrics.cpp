// Request-level figures of a run; see request_metrics.h.
#include "explorer/run/request_metrics.h"

namespace llmx {

RequestMetrics::RequestMetrics(const Workload& workload) {
  for (const WorkloadStep& step : workload.steps)
    if (step.phase == trace::Phase::prefill) prompt_tokens_ += step.tokens_in;
}

void RequestMetrics::on_step(const StepRecord& step, double energy_j, double energy_max_j) {
  const double s = (step.end - step.start).to_seconds();
  if (step.phase == trace::Phase::prefill) {
    ++prefill_steps_;
    prefill_s_ += s;
    prefill_j_ += energy_j;
    prefill_max_j_ += energy_max_j;
    return;
  }
  ++decode_steps_;
  decode_s_ += s;
  decode_j_ += energy_j;
  decode_max_j_ += energy_max_j;
}

std::vector<std::string> RequestMetrics::columns() {
  return {"ttft_ms",         "prefill_tokens_per_s", "tpot_ms",
          "output_tokens",   "request_latency_ms",   "prefill_energy_j",
          "decode_energy_j", "request_energy_j",     "request_energy_max_j"};
}

void RequestMetrics::add_cells(CsvTable::Row& row) const {
  const bool known = has_prefill();
  auto maybe = [&](double v) -> CsvTable::Row& { return known ? row.add(v) : row.add(""); };
  maybe(prefill_s_ * 1e3);
  maybe(prefill_s_ > 0 ? static_cast<double>(prompt_tokens_) / prefill_s_ : 0.0);
  row.add(tpot_s() * 1e3);
  row.add(uint64_t{known ? 1u : 0u} + decode_steps_);
  maybe((prefill_s_ + decode_s_) * 1e3);
  maybe(prefill_j_);
  row.add(decode_j_);
  maybe(prefill_j_ + decode_j_);
  maybe(prefill_max_j_ + decode_max_j_);
}

std::vector<std::string> with_columns(std::vector<std::string> columns,
                                      const std::vector<std::string>& more) {
  columns.insert(columns.end(), more.begin(), more.end());
  return columns;
}

}  // namespace llmx
