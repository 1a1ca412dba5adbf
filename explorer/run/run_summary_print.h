// What `explorer run` tells its user: progress while it simulates (on a terminal only: "step i of N, ETA" on
// stderr, rewritten in place) and, at the end, where it wrote and the headline figures on stdout.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "explorer/run/bottleneck.h"

namespace llmx {

class RunProgress {
 public:
  explicit RunProgress(size_t steps);  // shows nothing unless stderr is a terminal
  void step_done();
  void finish();

 private:
  size_t steps_, done_ = 0;
  bool shown_;
  std::chrono::steady_clock::time_point start_;
};

struct RunHeadline {
  std::string out_dir;
  double tokens_per_s = 0, ms_per_token = 0, j_per_token = 0;
  ResourceUse bound;
};

std::string run_summary_text(const RunHeadline& h);
void print_run_summary(const RunHeadline& h);  // on stdout

}  // namespace llmx
