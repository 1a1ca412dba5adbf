// Progress and the closing summary of `explorer run`; see run_summary_print.h.
#include "explorer/run/run_summary_print.h"

#include <unistd.h>

#include <cstdio>

#include "models/core/error.h"

namespace llmx {

RunProgress::RunProgress(size_t steps)
    : steps_(steps), shown_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void RunProgress::step_done() {
  ++done_;
  if (!shown_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = done_ < steps_ ? elapsed / done_ * (steps_ - done_) : 0.0;
  std::fprintf(stderr, "\rstep %zu of %zu, ETA %.0f s   ", done_, steps_, eta);
  std::fflush(stderr);
}

void RunProgress::finish() {
  if (shown_ && done_ > 0) std::fprintf(stderr, "\r%40s\r", "");
}

std::string run_summary_text(const RunHeadline& h) {
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f%%", h.bound.utilization * 100.0);
  std::string bound =
      h.bound.resource.empty()
          ? std::string("none")
          : cat(h.bound.resource, " at ", percent, " utilization",
                h.bound.busiest.empty() ? std::string() : cat(" (busiest: ", h.bound.busiest, ")"));
  char figures[160];
  std::snprintf(figures, sizeof figures, "%.4g tokens/s, %.4g ms/token, %.4g J/token", h.tokens_per_s,
                h.ms_per_token, h.j_per_token);
  return cat("wrote ", h.out_dir, "\n", figures, "\nbounded by ", bound, "\n");
}

void print_run_summary(const RunHeadline& h) {
  std::fputs(run_summary_text(h).c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace llmx
