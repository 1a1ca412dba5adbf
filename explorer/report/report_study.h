// The LPDDR-vs-HBM study's verdict (configs/studies/lpddr-vs-hbm.yaml): per model and batch, one line per
// basis (same format at each weight format, the FP16 baseline of the claim, iso-cost, iso-power) and, per
// model, format and batch, the LPDDR bandwidth at which LPDDR matches HBM's tokens/s, interpolated linearly
// between the two swept LPDDR channel counts that bracket it. J/token is shown as its typical-to-maximum band
// and the energy ranking is said to survive when the winner's maximum stays below the loser's typical figure.
// Systems are told apart by name (lpddr / hbm), the LPDDR bandwidth by the swept modules.dram.count. Leaves
// out: any figure the points do not hold (nothing is simulated here).
#pragma once

#include <string>
#include <vector>

#include "explorer/report/report_data.h"

namespace llmx::report {

// Throws llmx::Error naming every point that streams weights over the host link (offloaded_weight_bytes > 0):
// the study's comparison assumes each model and its KV cache fit device memory.
void require_fit(const std::vector<Point>& points);

// "LPDDR matches HBM" means within 5% of its tokens/s or faster, in the claim's verdict and the break-even.
inline constexpr double kMatchShare = 0.95;

// The LPDDR bandwidth (GB/s) and channel count at which LPDDR's tokens/s reaches `target_tps`, from points of
// one case sorted by channel count; `where` says whether it was interpolated or lies outside the sweep (then
// `channels` is the smallest or largest swept count).
struct BreakEven {
  enum class Where { at_or_below, between, beyond };
  Where where = Where::beyond;
  double channels = 0, gbps = 0;
  std::string how;  // "interpolated linearly between 16 and 32 swept channels", ...
};
BreakEven break_even(const std::vector<const Point*>& lpddr_by_channels, double target_tps);

// The study's verdict as HTML (empty when the points hold no LPDDR/HBM pair).
std::string study_verdict_section(const std::vector<Point>& points);

}  // namespace llmx::report
