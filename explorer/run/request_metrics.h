// Request-level figures of a run, as a serving system reports them, computed from the simulated steps: a
// request is every sequence's prompt (the prefill step: prompt ids in, each sequence's first token out), then
// one decode step per further output token.
//   ttft_ms              time to first token: the prefill step, host transfers included
//   prefill_tokens_per_s prompt tokens (all sequences) per second of prefill
//   tpot_ms              time per output token: the mean decode step (each step yields one token per
//   sequence) output_tokens        tokens each sequence receives: the prefill's first token and one per
//   decode step request_latency_ms   end to end: TTFT plus every decode step prefill_energy_j,
//   decode_energy_j, request_energy_j (and request_energy_max_j, the maximum bound): the
//                        energy of the whole batch in each phase and in all
// Without a simulated prefill (workload.include_prefill false) TTFT, the request latency and their energies
// are unknown: those cells are empty. Leaves out: queueing, scheduling of requests that arrive at different
// times (every sequence of the batch starts together), sampling time on the host.
#pragma once

#include <string>
#include <vector>

#include "explorer/run/csv.h"
#include "explorer/run/decode_driver.h"
#include "explorer/workload/workload.h"

namespace llmx {

class RequestMetrics {
 public:
  // `workload` gives the prompt tokens of its prefill step.
  explicit RequestMetrics(const Workload& workload);
  // One simulated step and the energy it spent (typical and maximum bounds), in order.
  void on_step(const StepRecord& step, double energy_j, double energy_max_j);

  // The summary columns and their cells, in the same order.
  static std::vector<std::string> columns();
  void add_cells(CsvTable::Row& row) const;

  bool has_prefill() const { return prefill_steps_ > 0; }
  double ttft_s() const { return prefill_s_; }
  double tpot_s() const { return decode_steps_ ? decode_s_ / decode_steps_ : 0.0; }

 private:
  uint64_t prefill_steps_ = 0, decode_steps_ = 0, prompt_tokens_ = 0;
  double prefill_s_ = 0, decode_s_ = 0;
  double prefill_j_ = 0, decode_j_ = 0, prefill_max_j_ = 0, decode_max_j_ = 0;
};

// `columns` followed by `more`.
std::vector<std::string> with_columns(std::vector<std::string> columns, const std::vector<std::string>& more);

}  // namespace llmx
