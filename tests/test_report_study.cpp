// The LPDDR-vs-HBM study's verdict on small synthetic results: the break-even interpolation, the energy
// band's ranking, the bases named per model and batch, and the refusal of points that stream weights.
#include <catch2/catch.hpp>

#include "explorer/report/report_study.h"
#include "explorer/report/report_verdict.h"
#include "models/core/error.h"

using namespace llmx;
using namespace llmx::report;
using Catch::Matchers::Contains;

namespace {

Point point(const std::string& system, const std::string& format, int channels, double tps, double jpt,
            double jpt_max, double usd, double watts, double gbps_per_channel) {
  Point p;
  p.dir = "points/" + system + "-" + format + "-" + std::to_string(channels);
  p.summary = {{"system", system},
               {"model", "Llama-2-7B"},
               {"weight_format", format},
               {"batch", "1"},
               {"tokens_per_s", fmt(tps)},
               {"j_per_token", fmt(jpt)},
               {"j_per_token_max", fmt(jpt_max)},
               {"tokens_per_s_per_usd", fmt(tps / usd)},
               {"avg_power_w", fmt(watts)},
               {"dram_peak_gbps", fmt(gbps_per_channel * channels)},
               {"offloaded_weight_bytes", "0"}};
  p.swept = {{"system.name", system}, {"modules.dram.count", std::to_string(channels)}};
  p.tps = tps, p.jpt = jpt;
  return p;
}

std::vector<Point> study() {
  // LPDDR at 8, 16, 32 channels of 17.07 GB/s; HBM at 32 channels of 51.2 GB/s.
  return {point("lpddr5x-accel", "F16", 8, 10, 0.9, 1.0, 500, 9, 17.07),
          point("lpddr5x-accel", "F16", 16, 20, 0.8, 0.9, 700, 16, 17.07),
          point("lpddr5x-accel", "F16", 32, 40, 0.7, 0.8, 1100, 28, 17.07),
          point("hbm3-accel", "F16", 32, 30, 0.6, 0.65, 3000, 18, 51.2),
          point("lpddr5x-accel", "INT4_G128", 8, 35, 0.3, 0.5, 500, 10.5, 17.07),
          point("lpddr5x-accel", "INT4_G128", 16, 60, 0.25, 0.3, 700, 15, 17.07),
          point("lpddr5x-accel", "INT4_G128", 32, 100, 0.2, 0.25, 1100, 20, 17.07),
          point("hbm3-accel", "INT4_G128", 32, 120, 0.15, 0.28, 3000, 18, 51.2)};
}

}  // namespace

TEST_CASE("study verdict: break-even is interpolated between the bracketing channel counts", "[report]") {
  const auto pts = study();
  const std::vector<const Point*> l{&pts[0], &pts[1], &pts[2]};
  const BreakEven b = break_even(l, 30);  // 20 at 16, 40 at 32 channels: 24 channels
  CHECK(b.where == BreakEven::Where::between);
  CHECK(b.channels == Approx(24));
  CHECK(b.gbps == Approx(24 * 17.07).epsilon(1e-3));
  CHECK_THAT(b.how, Contains("interpolated linearly between 16 and 32"));
  CHECK(break_even(l, 50).where == BreakEven::Where::beyond);
  CHECK(break_even(l, 50).channels == 32);
  CHECK(break_even(l, 5).where == BreakEven::Where::at_or_below);
  CHECK_THAT(break_even(l, 5).how, Contains("at or below the smallest"));
}

TEST_CASE("study verdict: names each basis per model and batch and whether the energy ranking survives",
          "[report]") {
  const std::string html = study_verdict_section(study());
  CHECK_THAT(html, Contains("<h3>Llama-2-7B, batch 1</h3>"));
  // FP16 baseline: LPDDR INT4 at 8 channels 35 vs HBM F16 30 tokens/s, 0.3-0.5 vs 0.6-0.65 J/token.
  CHECK_THAT(html, Contains("FP16 baseline (the claim): LPDDR INT4_G128 35 vs HBM F16 30 tokens/s"));
  CHECK_THAT(html, Contains("LPDDR lower, ranking survives the band: claim holds"));
  // Same format F16: HBM 0.6-0.65 below LPDDR's typical 0.9: survives. INT4: HBM 0.15-0.28 vs LPDDR 0.3:
  // survives;
  CHECK_THAT(html, Contains("same format F16: LPDDR 8 channels 10 vs HBM 30 tokens/s (LPDDR/HBM 0.33)"));
  CHECK_THAT(html, Contains("same format INT4_G128: LPDDR 8 channels 35 vs HBM 120 tokens/s"));
  // Iso-cost: LPDDR INT4 best per $ at 32 channels (100/1100 = 0.0909 vs 120/3000 = 0.04).
  CHECK_THAT(html, Contains("iso-cost INT4_G128 (LPDDR at 32 channels, its best): LPDDR 0.0909 vs HBM 0.04"));
  // Iso-power: LPDDR INT4 at 32 channels 5 tokens/s per W vs HBM 6.67.
  CHECK_THAT(html, Contains("iso-power INT4_G128 (LPDDR at 32 channels, its best): LPDDR 5 vs HBM 6.67 "
                            "tokens/s per W (HBM ahead"));
  // Break-even at 95% of HBM's tokens/s: F16 28.5 between 20 (16) and 40 (32 channels) is 22.8 channels.
  CHECK_THAT(html, Contains("break-even F16: LPDDR reaches 95% of HBM&#39;s 30 tokens/s at 22.8 channels = "
                            "389 GB/s (HBM 1638 GB/s), interpolated linearly between 16 and 32"));
  // INT4: 114 is beyond the 100 of 32 channels (0.833 of HBM's 120).
  CHECK_THAT(html, Contains("break-even INT4_G128: not reached in the sweep: the largest swept LPDDR, 32 "
                            "channels = 546 GB/s, gives 0.833 of HBM&#39;s 120 tokens/s"));
}

TEST_CASE("study verdict: an overlapping energy band says the ranking does not survive", "[report]") {
  auto pts = study();
  pts[4].summary["j_per_token_max"] = "0.7";  // LPDDR INT4 at 8 channels: 0.3-0.7 overlaps HBM F16's 0.6
  CHECK_THAT(study_verdict_section(pts), Contains("does not survive the band (they overlap): claim holds"));
}

TEST_CASE("study verdict: a point that streams weights over the host link fails the study", "[report]") {
  auto pts = study();
  CHECK_NOTHROW(require_fit(pts));
  pts[3].summary["offloaded_weight_bytes"] = "9e9";
  CHECK_THROWS_WITH(require_fit(pts),
                    Contains("hbm3-accel, Llama-2-7B F16 batch 1: 9 GB over the host link"));
}

TEST_CASE("claim verdict: explains each case by the resources that bound the two systems", "[report]") {
  auto pts = study();
  // HBM F16 held by its buffers with its DRAM at 30%; LPDDR INT4 at 8 channels bound by its DRAM.
  Point& h = pts[3];
  Point& l = pts[4];
  h.summary["bound_resource"] = "sram", h.summary["bound_utilization"] = "0.96";
  h.summary["dram_bandwidth_share"] = "0.3";
  l.summary["bound_resource"] = "dram_bandwidth", l.summary["bound_utilization"] = "0.97";
  l.summary["dram_bandwidth_share"] = "0.78";
  const std::string holds = claim_section(pts);
  CHECK_THAT(holds, Contains("the HBM system is bound by its on-chip buffers (SRAM) at 96% (DRAM at 30% of "
                             "peak), the LPDDR system by its DRAM bandwidth at 97% (DRAM at 78% of peak)"));
  CHECK_THAT(holds, Contains("fewer bytes through the same PEs and buffers decide"));
  CHECK_THAT(holds, !Contains("batching"));
  // Slower LPDDR (8 channels' 35 against HBM's 60): its DRAM bandwidth is what limits it.
  h.tps = 60;
  h.summary["tokens_per_s"] = "60";
  const std::string breaks = claim_section(pts);
  CHECK_THAT(breaks,
             Contains("LPDDR&#39;s DRAM bandwidth limits it while the HBM system&#39;s has headroom"));
}
