// The cost model: a run's cost is the sum of its bill (cost.csv), the bill's items move with exactly the
// figures they are made of, the range brackets the nominal, and bad cost inputs are one-line errors.
#include <catch2/catch.hpp>

#include <cmath>

#include "explorer/cost/cost_model.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

using CsvRows = std::vector<std::map<std::string, std::string>>;

struct Run {
  int exit_code = -1;
  std::string out;
  std::map<std::string, std::string> summary;
  CsvRows bill;
};

// A priced system on a small trace, one decode step.
Run run(const std::string& name, const std::string& system, const std::string& args = "") {
  const fs::path out = test::scratch_dir("cost-" + name) / "out";
  const auto r = test::explorer("run '" + test::source_dir() + "/configs/systems/" + system + "' --trace '" +
                                test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz' " +
                                "--set workload.decode_steps=1 " + args + " --out '" + out.string() + "'");
  Run result{r.exit_code, r.out, {}, {}};
  if (r.exit_code == 0) {
    result.summary = test::read_csv(out / "summary.csv").at(0);
    result.bill = test::read_csv(out / "cost.csv");
  }
  return result;
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  INFO(key);
  REQUIRE(row.count(key));
  return std::stod(row.at(key));
}

const std::map<std::string, std::string>& item(const CsvRows& bill, const std::string& component,
                                               const std::string& what) {
  for (const auto& r : bill)
    if (r.at("component") == component && r.at("item") == what) return r;
  FAIL("no item " << component << " / " << what);
  return bill.front();
}

}  // namespace

TEST_CASE("cost: doubling LPDDR's price per GiB moves cost_usd by exactly the memory bits' share", "[cost]") {
  const Run base = run("base", "lpddr5x-accel.yaml");
  INFO(base.out);
  REQUIRE(base.exit_code == 0);
  const double per_gib = 4.0;  // configs/cost/memory/lpddr5x.yaml
  const Run doubled = run("doubled", "lpddr5x-accel.yaml", "--set modules.dram.cost.usd_per_gib=8");
  INFO(doubled.out);
  REQUIRE(doubled.exit_code == 0);
  const auto& bits = item(base.bill, "dram", "memory bits");
  CHECK(num(bits, "quantity") == 16);  // 8 x16 channels of 2 GiB
  CHECK(num(bits, "usd") == Approx(16 * per_gib).epsilon(1e-12));
  const double moved = num(doubled.summary, "cost_usd") - num(base.summary, "cost_usd");
  CHECK(moved == Approx(num(bits, "usd")).epsilon(1e-9));
  CHECK(num(doubled.summary, "cost_memory_usd") - num(base.summary, "cost_memory_usd") ==
        Approx(num(bits, "usd")).epsilon(1e-9));
  // Nothing else moved: the die, the package, the host link.
  for (const char* col : {"cost_compute_usd", "cost_sram_usd", "cost_packaging_usd", "cost_host_link_usd"})
    CHECK(num(doubled.summary, col) == num(base.summary, col));
  CHECK(num(doubled.summary, "tokens_per_s") == num(base.summary, "tokens_per_s"));
  CHECK(num(doubled.summary, "tokens_per_s_per_usd") ==
        Approx(num(base.summary, "tokens_per_s") / num(doubled.summary, "cost_usd")).epsilon(1e-9));
}

TEST_CASE("cost: the bill adds up to cost_usd in each bound and by category, and the range brackets it",
          "[cost]") {
  for (const char* system : {"lpddr5x-accel.yaml", "hbm3-accel.yaml"}) {
    const Run r = run(std::string("sum-") + system, system);
    INFO(system << ": " << r.out);
    REQUIRE(r.exit_code == 0);
    double sum[3] = {0, 0, 0};
    std::map<std::string, double> by_category;
    for (const auto& i : r.bill) {
      sum[0] += num(i, "usd"), sum[1] += num(i, "usd_low"), sum[2] += num(i, "usd_high");
      by_category[i.at("category")] += num(i, "usd");
      CHECK(num(i, "usd_low") <= num(i, "usd"));
      CHECK(num(i, "usd") <= num(i, "usd_high"));
    }
    CHECK(sum[0] == Approx(num(r.summary, "cost_usd")).epsilon(1e-9));
    CHECK(sum[1] == Approx(num(r.summary, "cost_low_usd")).epsilon(1e-9));
    CHECK(sum[2] == Approx(num(r.summary, "cost_high_usd")).epsilon(1e-9));
    for (const auto& [category, usd] : by_category)
      CHECK(usd == Approx(num(r.summary, "cost_" + category + "_usd")).epsilon(1e-9));
    CHECK(num(r.summary, "tokens_per_j") == Approx(1 / num(r.summary, "j_per_token")).epsilon(1e-9));
  }
}

TEST_CASE("cost: an HBM stack brings its base die, stacking and an interposer under it and the logic die",
          "[cost]") {
  const Run r = run("hbm", "hbm3-accel.yaml");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(num(item(r.bill, "dram", "memory bits"), "usd") ==
        Approx(16 * 12.5));                                        // configs/cost/memory/hbm3.yaml
  CHECK(num(item(r.bill, "dram", "base dies"), "quantity") == 1);  // 16 channels = one stack
  CHECK(num(item(r.bill, "dram", "TSV stacking and stack test"), "usd") == Approx(40));
  const auto& interposer = item(r.bill, "interposer", "silicon interposer (memory and logic die)");
  CHECK(num(interposer, "quantity") == Approx(145 + num(r.summary, "die_area_mm2")).epsilon(1e-9));
  CHECK(num(interposer, "usd") == Approx(0.39 * num(interposer, "quantity")).epsilon(1e-9));
  // The die: each block's area at the process's figures (configs/cost/process-tsmc-n5.yaml).
  CHECK(num(item(r.bill, "pe", "MAC arrays"), "quantity") ==
        Approx(8 * 1024 * 250e-6));                                               // shared: the FP16 array
  CHECK(num(item(r.bill, "buf", "SRAM"), "quantity") == Approx(8 * 0.5 * 0.35));  // 8 x 512 KiB
  CHECK(num(item(r.bill, "dram", "PHY and controller"), "quantity") == Approx(16 * 0.7));
}

TEST_CASE("cost: dies per wafer and die yield follow their published formulas", "[cost]") {
  // 100 mm^2 (10.1 mm sites with the scribe) on a 300 mm wafer less a 3 mm rim: pi 294^2 / (4 x 102.01)
  // - pi 294 / sqrt(204.02) = 665.5 - 64.7 = 600.8 -> 600 whole dies.
  CHECK(dies_per_wafer(100, 300, 3, 0.1) == 600);
  CHECK(dies_per_wafer(1e6, 300, 3, 0.1) == 0);
  // 1 cm^2 at 0.1 defects/cm^2.
  CHECK(die_yield(YieldModel::poisson, 100, 0.1, 0) == Approx(std::exp(-0.1)));
  CHECK(die_yield(YieldModel::murphy, 100, 0.1, 0) == Approx(std::pow((1 - std::exp(-0.1)) / 0.1, 2)));
  CHECK(die_yield(YieldModel::negative_binomial, 100, 0.1, 2) == Approx(std::pow(1.05, -2)));
  CHECK(die_yield(YieldModel::murphy, 100, 0, 0) == 1);
  // Clustering helps: for the same D0 the negative binomial yields more than Poisson.
  CHECK(die_yield(YieldModel::negative_binomial, 400, 0.2, 2) > die_yield(YieldModel::poisson, 400, 0.2, 0));
}

TEST_CASE("cost: a system without a cost map is not priced and leaves its cost cells empty", "[cost]") {
  const Run r = run("unpriced", "fpga-lpddr-lutgemm.yaml");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  for (const char* col :
       {"cost_usd", "cost_low_usd", "cost_high_usd", "cost_memory_usd", "tokens_per_s_per_usd"})
    CHECK(r.summary.at(col).empty());
  CHECK(r.bill.empty());
  CHECK(num(r.summary, "tokens_per_j") == Approx(1 / num(r.summary, "j_per_token")).epsilon(1e-9));
}

TEST_CASE("cost: bad cost inputs are one-line errors naming the file, line and key", "[cost]") {
  // A nominal outside its range.
  Run r = run("bad-range", "lpddr5x-accel.yaml", "--set modules.dram.cost.usd_per_gib=9");
  CHECK(r.exit_code == 1);
  CHECK(test::count_lines(r.out) == 1);
  CHECK_THAT(r.out, Contains("modules.dram.cost.usd_per_gib: 9 lies outside its range [2, 8]"));
  // An unknown cost key.
  r = run("bad-key", "lpddr5x-accel.yaml", "--set modules.dram.cost.usd_per_gb=4");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("modules.dram.cost.usd_per_gb: unknown key"));
  // A priced system whose PE has no cost map.
  r = run("no-pe-cost", "lpddr5x-accel.yaml",
          "--set modules.pe.include=" + test::source_dir() + "/configs/compute/pe-fpga-250mhz.yaml");
  CHECK(r.exit_code == 1);
  CHECK(test::count_lines(r.out) == 1);
  CHECK_THAT(r.out, Contains("modules.pe: the system is priced") && Contains("has no cost: map"));
}
