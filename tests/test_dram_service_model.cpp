// The DRAM channel's service model (dram/service_model.h): its stripe-by-stripe closed form (bank from a
// table, open-row counts kept incrementally, decay powers from a table, runs of hits in bulk) gives, to the
// bit, what decoding every burst through the address mapping gives, on every preset, for interleaved
// streams, random accesses, odd sizes and offsets, reads and writes.
#include <catch2/catch.hpp>

#include <cstring>

#include "explorer/config/loader.h"
#include "models/memory/dram/service_model.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

DramSpec load_preset(const std::string& name) {
  auto root = load_config(test::source_dir() + "/configs/memory/" + name, {});
  Params p(root, "", nullptr);
  DramSpec s = read_dram_spec(p);
  p.finish();
  return s;
}

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("dram service model: the closed form matches burst-by-burst decoding to the bit",
          "[dram][service]") {
  for (const char* preset : {"lpddr4x-4266.yaml", "lpddr5-6400.yaml", "lpddr5x-8533.yaml", "hbm2-2000.yaml",
                             "hbm2e-3600.yaml", "hbm3-6400.yaml", "hbm3e-9600.yaml", "ddr5-4800.yaml",
                             "gddr6-16000.yaml", "gddr6x-21000.yaml", "gddr7-32000.yaml"}) {
    const DramSpec spec = load_preset(preset);
    ChannelServiceModel fast(spec), reference(spec);
    INFO(preset);
    if (std::string(preset) == "lpddr5x-8533.yaml" || std::string(preset) == "hbm3-6400.yaml")
      CHECK(fast.closed_form());  // the presets the shipped systems use take the closed form
    const uint64_t capacity = spec.org.capacity_bytes();
    // Eight interleaved streams (as eight PEs reading weights), each transaction 1 B to 256 KiB at odd
    // offsets, with every fifth a random access and every seventh a write.
    uint64_t cursor[8];
    for (int s = 0; s < 8; ++s) cursor[s] = capacity / 8 * uint64_t(s) + uint64_t(s) * 40;
    uint64_t lcg = 12345;
    int mismatches = 0;
    for (int i = 0; i < 6000; ++i) {
      lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
      const int s = int((lcg >> 33) % 8);
      const uint64_t bytes = 1 + (lcg >> 20) % (i % 3 == 0 ? 262144 : 4096);
      uint64_t addr = cursor[s];
      if (i % 5 == 0) addr = (lcg >> 7) % (capacity - bytes);
      if (addr + bytes > capacity) addr = 0;
      cursor[s] = addr + bytes;
      const bool write = i % 7 == 0;
      const auto a = fast.access(addr, bytes, write);
      const auto b = reference.access_decoded(addr, bytes, write);
      if (!same_bits(a.busy_ns, b.busy_ns) || !same_bits(a.pipeline_ns, b.pipeline_ns) ||
          a.bursts != b.bursts || a.hits != b.hits || a.misses != b.misses)
        ++mismatches;
    }
    CHECK(mismatches == 0);
  }
}

TEST_CASE("dram service model: a cached calibration reads back to the bit, and only under its own key",
          "[dram][service]") {
  const DramSpec spec = load_preset("hbm3-6400.yaml");
  const ServiceCalibration& c = calibrate(spec);
  const std::string key = "calibration v1|test|" + timing_key(spec);
  const std::string text = calibration_text(key, c);
  ServiceCalibration back;
  REQUIRE(parse_calibration(text, key, &back));
  for (auto [a, b] : {std::pair{c.burst_ns, back.burst_ns},
                      {c.seq_miss_extra_ns, back.seq_miss_extra_ns},
                      {c.rand_miss_extra_ns, back.rand_miss_extra_ns},
                      {c.seq_hit_rate, back.seq_hit_rate},
                      {c.rand_hit_rate, back.rand_hit_rate},
                      {c.refresh_factor_seq, back.refresh_factor_seq},
                      {c.refresh_factor_rand, back.refresh_factor_rand},
                      {c.seq_mean_latency_ns, back.seq_mean_latency_ns},
                      {c.rand_ns_per_burst, back.rand_ns_per_burst}})
    CHECK(same_bits(a, b));
  CHECK_FALSE(parse_calibration(text, key + "x", &back));                       // another spec's file
  CHECK_FALSE(parse_calibration(text.substr(0, text.size() / 2), key, &back));  // cut short
  CHECK_FALSE(parse_calibration(text.substr(0, text.size() - 4), key, &back));  // no end mark
}
