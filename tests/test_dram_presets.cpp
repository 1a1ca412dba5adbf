// The DRAM presets (configs/memory/*.yaml): they load, a sequential read stream never exceeds the peak
// (channels x bus width x data rate) and reaches at least 85% of it with refresh on for LPDDR, HBM and GDDR,
// the energy total is the sum of its parts in both bounds, the pJ/bit of a sequential read stream lies within
// 15% of the preset's cited device figure (HBM, GDDR; a loose range for LPDDR, which has none), and bad
// values are reported in one line naming file:line and key.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "explorer/config/loader.h"
#include "models/core/error.h"
#include "models/memory/dram/memory_system.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

std::string preset_path(const std::string& name) {
  return test::source_dir() + "/configs/memory/" + name;
}

DramSpec load_preset(const std::string& name, const std::vector<std::string>& overrides = {}) {
  auto root = load_config(preset_path(name), overrides);
  Params p(root, "", nullptr);
  DramSpec s = read_dram_spec(p);
  p.finish();
  return s;
}

struct Range {
  double lo, hi;
  const char* source;
};

// What a sequential read stream should cost per bit, by preset: each HBM preset's cited device figure
// within 15% (docs/ENERGY.md has every figure with its date, source and what it includes), a loose range
// where no device figure is public (LPDDR), nothing for DDR5 (no public figure: conservation only).
Range published_range(const std::string& preset) {
  auto around = [](double figure, const char* source) { return Range{figure * 0.85, figure * 1.15, source}; };
  if (preset.rfind("lpddr", 0) == 0)
    return {
        3.0, 8.0,
        "no public LPDDR4X/5/5X figure; published DRAM devices span HBM3E 3.9 pJ/bit (Samsung, Oct 2025) to "
        "GDDR6 7.5 pJ/bit (Micron, ultra-bandwidth solutions)"};
  if (preset == "hbm2-2000.yaml")
    return around(2.82,
                  "O'Connor et al., MICRO 2017: 3.92 pJ/bit per HBM2 access less their 1.21 pJ/bit average "
                  "activation plus one 909 pJ activate per 1 KB row (sequential)");
  if (preset == "hbm2e-3600.yaml") return around(6.0, "Micron HBM2E: 6.0 pJ/bit average device power");
  if (preset == "hbm3-6400.yaml")
    return around(4.33, "Samsung HBM3E 3.9 pJ/bit (Oct 2025) over its 10% gain on HBM3 (Oct 2023)");
  if (preset == "hbm3e-9600.yaml")
    return around(3.9, "Samsung HBM3E: 3.9 pJ/bit (OCP Global Summit, Oct 2025)");
  if (preset == "gddr6-16000.yaml") return around(7.5, "Micron GDDR6: 7.5 pJ/bit average device power");
  if (preset == "gddr6x-21000.yaml") return around(7.25, "Micron GDDR6X: 7.25 pJ/bit average device power");
  if (preset == "gddr7-32000.yaml")
    return around(5.0, "Micron GDDR7 (Jun 2024): >50% more power-efficient than its GDDR6 at 7.5 pJ/bit");
  return {0, 0, nullptr};
}

SystemResult sequential_reads(const DramSpec& s, int channels, uint64_t bytes) {
  InjectionModel inj;
  inj.kind = InjectionModel::Kind::offer_per_tick;
  inj.limit = 16;
  MemorySystem m(s, channels, MemorySystem::interleave_bits(channels, 64), inj);
  uint64_t at = 0;
  return m.run([&](Access& a) {
    if (at >= bytes) return false;
    a.addr = at;
    a.bytes = 64;
    at += 64;
    return true;
  });
}

const char* kPresets[] = {"lpddr4x-4266.yaml", "lpddr5-6400.yaml",  "lpddr5x-8533.yaml", "hbm2-2000.yaml",
                          "hbm2e-3600.yaml",   "hbm3-6400.yaml",    "hbm3e-9600.yaml",   "ddr5-4800.yaml",
                          "gddr6-16000.yaml",  "gddr6x-21000.yaml", "gddr7-32000.yaml"};

}  // namespace

TEST_CASE("dram presets: sequential reads stay under peak and reach 85% of it with refresh on",
          "[dram][presets]") {
  for (const char* name : kPresets) {
    const DramSpec s = load_preset(name);
    REQUIRE(s.ctrl.refresh != RefreshMode::none);
    const int channels = 4;
    // Long enough for ~40 refresh intervals per channel.
    const uint64_t bytes =
        uint64_t(s.peak_bytes_per_s() * 40 * s.timing.trefi_ns * 1e-9) * channels / 64 * 64;
    const auto r = sequential_reads(s, channels, bytes);
    const double peak =
        channels * s.org.pseudo_channels * s.org.dq_bits / 8.0 * s.timing.data_rate_mtps * 1e6 / 1e9;
    const uint64_t refreshes = r.counters.refresh_ab + r.counters.refresh_pb;
    INFO(name << ": " << r.bandwidth_gbps << " GB/s of " << peak << " GB/s peak, refreshes " << refreshes);
    CHECK(r.peak_gbps == Approx(peak));
    CHECK(r.bandwidth_gbps <= peak);
    CHECK(refreshes > 0);
    if (s.standard.rfind("LPDDR", 0) == 0 || s.standard.rfind("HBM", 0) == 0 ||
        s.standard.rfind("GDDR", 0) == 0)
      CHECK(r.bandwidth_gbps >= 0.85 * peak);
  }
}

TEST_CASE("dram presets: random reads stay under peak", "[dram][presets]") {
  for (const char* name : kPresets) {
    const DramSpec s = load_preset(name);
    InjectionModel inj;
    MemorySystem m(s, 2, MemorySystem::interleave_bits(2, 64), inj);
    uint64_t i = 0, x = 88172645463325252ull;
    const uint64_t lines = s.org.capacity_bytes() * 2 / 64;
    const auto r = m.run([&](Access& a) {
      if (i++ >= 20000) return false;
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      a.addr = (x % lines) * 64;
      a.bytes = 64;
      return true;
    });
    INFO(name << ": " << r.bandwidth_gbps << " GB/s of " << r.peak_gbps);
    CHECK(r.bandwidth_gbps <= r.peak_gbps);
    CHECK(r.bandwidth_gbps > 0.05 * r.peak_gbps);
    CHECK(r.row_hit_rate < 0.5);
  }
}

TEST_CASE("dram presets: energy is the sum of its parts and pJ/bit lies in the published range",
          "[dram][presets]") {
  for (const char* name : kPresets) {
    const DramSpec s = load_preset(name);
    const uint64_t bytes = uint64_t(s.peak_bytes_per_s() * 20 * s.timing.trefi_ns * 1e-9) / 64 * 64;
    const auto r = sequential_reads(s, 1, bytes);
    const auto& e = r.energy;
    const double parts = e.act_pre + e.read_array + e.write_array + e.io + e.refresh + e.background;
    CHECK(e.total() == Approx(parts).epsilon(1e-12));
    CHECK(e.act_pre > 0);
    CHECK(e.read_array > 0);
    CHECK(e.write_array == 0);
    CHECK(e.io > 0);
    // The maximum bound is a sum of its parts too, and lies above the typical one. (Not every kind does: with
    // typical currents standby falls more than IDD0, so the net activate energy can rise.)
    const auto& m = r.energy_max;
    CHECK(m.total() == Approx(m.act_pre + m.read_array + m.write_array + m.io + m.refresh + m.background));
    CHECK(m.total() > e.total());
    CHECK(e.refresh > 0);
    CHECK(e.background > 0);
    const Range range = published_range(name);
    if (!range.source) continue;
    INFO(name << ": " << r.pj_per_bit() << " pJ/bit, published " << range.lo << "-" << range.hi << " ("
              << range.source << ")");
    CHECK(r.pj_per_bit() >= range.lo);
    CHECK(r.pj_per_bit() <= range.hi);
  }
}

TEST_CASE("dram presets: bad values give one-line errors naming file:line and key", "[dram][presets]") {
  const auto dir = std::filesystem::temp_directory_path() / "llmx_test_dram_presets";
  std::filesystem::create_directories(dir);
  auto try_file = [&](const std::string& body) -> std::string {
    const auto path = dir / "bad.yaml";
    std::ofstream(path) << "include: " << preset_path("lpddr5-6400.yaml") << "\n" << body;
    try {
      auto root = load_config(path.string());
      Params p(root, "", nullptr);
      read_dram_spec(p);
      p.finish();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  struct Case {
    std::string body, key, line;
  };
  const Case cases[] = {
      {"timing:\n  trc_ns: 10\n", "trc_ns", "bad.yaml:3"},                 // tRC shorter than tRAS + tRP
      {"timing:\n  trcd_ns: -1\n", "trcd_ns", "bad.yaml:3"},               // negative time
      {"organisation:\n  bank_groups: 3\n", "bank_groups", "bad.yaml:3"},  // not a power of two
      {"organisation:\n  page_bytes: 16\n", "page_bytes", "bad.yaml:3"},   // page smaller than a burst
      {"timing:\n  trefi_ns: 100\n", "trefi_ns", "bad.yaml:3"},        // refresh interval shorter than tRFC
      {"timing:\n  trcd_nsec: 18\n", "trcd_nsec", "bad.yaml:3"},       // unknown key (wrong unit suffix)
      {"address_mapping: RoBaCo\n", "address_mapping", "bad.yaml:2"},  // unknown scheme
      {"controller:\n  row_policy: half\n", "row_policy", "bad.yaml:3"},  // not a choice
  };
  for (const auto& c : cases) {
    const std::string msg = try_file(c.body);
    INFO("body: " << c.body << " -> " << msg);
    CHECK_FALSE(msg.empty());
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find(c.key) != std::string::npos);
    CHECK(msg.find(c.line) != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}
