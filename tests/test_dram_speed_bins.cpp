// Speed bins and timings in clocks (models/memory/dram/timing_reader.h): one data-rate override derives tCK
// and takes the bin's clock counts, so the LPDDR5X preset at 10667 MT/s is a consistent speed bin that raises
// bandwidth-bound decode by 20-25%; ns timings convert at the derived tCK; inconsistent combinations (a tCK
// that disagrees, a rate outside the table, a clock count below the bin's minimum) are refused at file:line
// and key.
#include <catch2/catch.hpp>

#include <filesystem>

#include "explorer/config/loader.h"
#include "models/memory/dram/dram_spec.h"
#include "tests/support.h"

using namespace llmx;
using namespace llmx::dram;

namespace {

std::string preset(const std::string& name) {
  return test::source_dir() + "/configs/memory/" + name;
}

DramSpec load(const std::string& path, const std::vector<std::string>& overrides = {}) {
  auto root = load_config(path, overrides);
  Params p(root, "", nullptr);
  DramSpec s = read_dram_spec(p);
  p.finish();
  return s;
}

// The error a preset with `body` appended (after including LPDDR5X-8533) gives, or "" when it loads.
std::string error_of(const std::string& body, const std::vector<std::string>& overrides = {}) {
  const auto dir = test::scratch_dir("speed-bins");
  const auto path =
      test::write_text(dir / "bad.yaml", "include: " + preset("lpddr5x-8533.yaml") + "\n" + body);
  try {
    load(path.string(), overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("speed bins: one data-rate override derives tCK and the bin's clock counts", "[dram][speed_bins]") {
  const DramSpec base = load(preset("lpddr5x-8533.yaml"));
  const DramSpec fast = load(preset("lpddr5x-8533.yaml"), {"data_rate_mtps=10667"});
  CHECK(base.timing.tck_ns == Approx(8000.0 / 8533));
  CHECK(fast.timing.tck_ns == Approx(0.75).epsilon(1e-4));
  const TickTiming b = to_ticks(base), f = to_ticks(fast);
  CHECK(b.rl == 24);  // the 8533 bin
  CHECK(b.wl == 12);
  CHECK(f.rl == 30);  // the 10667 bin
  CHECK(f.wl == 15);
  CHECK(b.ccd_s == 2);  // nCK-defined: the same clocks in every bin
  CHECK(f.ccd_s == 2);
  CHECK(f.bl == 2);
  CHECK(b.rcd_rd == 20);  // 18 ns at 0.9375 ns: ceil to clocks
  CHECK(f.rcd_rd == 24);  // 18 ns at 0.75 ns
  CHECK(f.wtr_s == 9);    // max(6.25 ns, 4 nCK) = 8.33 -> 9 clocks
  CHECK(fast.peak_bytes_per_s() == Approx(base.peak_bytes_per_s() * 10667 / 8533));
  // A rate inside a lower bin takes that bin's clocks.
  const TickTiming s = to_ticks(load(preset("lpddr5x-8533.yaml"), {"data_rate_mtps=6400"}));
  CHECK(s.rl == 17);
  CHECK(s.wl == 9);
  // HBM2 bins carry every clock count of Ramulator 2's presets: 2400 Mb/s takes the HBM2_2400Mbps row.
  const TickTiming h = to_ticks(load(preset("hbm2-2000.yaml"), {"data_rate_mtps=2400"}));
  CHECK(h.rl == 17);
  CHECK(h.rcd_rd == 17);
  CHECK(h.rc == 57);
  CHECK(h.rrd_s == 5);  // 4 ns at 0.833 ns
}

TEST_CASE("speed bins: inconsistent combinations are refused with file:line and key", "[dram][speed_bins]") {
  struct Case {
    std::string body;
    std::vector<std::string> overrides;
    std::string key, where, words;
  };
  const Case cases[] = {
      {"timing:\n  tck_ns: 0.9375\n", {"data_rate_mtps=10667"}, "tck_ns", "bad.yaml:3", "disagrees"},
      {"data_rate_mtps: 12000\n", {}, "data_rate_mtps", "bad.yaml:2", "outside"},
      {"", {"data_rate_mtps=30"}, "data_rate_mtps", "", "outside"},
      {"timing:\n  rl_ck: 20\n", {}, "rl_ck", "bad.yaml:3", "below the standard's minimum of 24"},
      {"timing:\n  wl_ns: 5\n", {}, "wl_ns", "bad.yaml:3", "below the standard's minimum of 12"},
      {"timing:\n  rl_ck: 26\n", {"data_rate_mtps=10667"}, "rl_ck", "bad.yaml:3", "minimum of 30"},
      {"speed_bins:\n  - {max_mtps: 8533, rl_ck: 24}\n  - {max_mtps: 6400, rl_ck: 17}\n",
       {},
       "max_mtps",
       "bad.yaml:4",
       "ascending"},
      {"speed_bins:\n  - {max_mtps: 9000, rl_ck: 24, wl_ck: 12, cl_ck: 3}\n", {}, "cl_ck", "bad.yaml:3", ""},
  };
  for (const auto& c : cases) {
    const std::string msg = error_of(c.body, c.overrides);
    INFO(c.body << " -> " << msg);
    CHECK_FALSE(msg.empty());
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(msg.find(c.key) != std::string::npos);
    CHECK(msg.find(c.where) != std::string::npos);
    CHECK(msg.find(c.words) != std::string::npos);
  }
  // Given explicitly and at or above the bin's minimum is accepted (a slower mode-register setting).
  CHECK(error_of("timing:\n  rl_ck: 26\n") == "");
}

TEST_CASE("speed bins: LPDDR5X at 10667 MT/s raises bandwidth-bound decode tokens/s by 20-25%",
          "[dram][speed_bins]") {
  const auto dir = test::scratch_dir("speed-bins-decode");
  const std::string sys = test::source_dir() + "/configs/systems/lpddr5x-accel.yaml";
  auto tokens_per_s = [&](const std::string& name, const std::string& extra) {
    const auto out = dir / name;
    const auto r = test::explorer("run '" + sys + "' --set workload.decode_steps=2 " + extra + " --out '" +
                                  out.string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    const auto rows = test::read_csv(out / "summary.csv");
    REQUIRE(rows.size() == 1);
    return std::stod(rows[0].at("tokens_per_s"));
  };
  const double base = tokens_per_s("8533", "");
  const double fast = tokens_per_s("10667", "--set modules.dram.data_rate_mtps=10667");
  const double gain = fast / base - 1;
  INFO("Llama-2-7B Q4_0 on lpddr5x-accel: " << base << " -> " << fast << " tokens/s (+" << gain * 100
                                            << "%)");
  CHECK(gain >= 0.20);
  CHECK(gain <= 0.25);
  std::filesystem::remove_all(dir);
}
