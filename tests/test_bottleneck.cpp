// The bottleneck analysis on every shipped system (TinyLlama, one decode step, to stay cheap): the run names
// the resource that bounds it, every utilization in components.csv and bottleneck.csv lies in [0, 1], the
// bounding resource is the most utilized one, and the closing summary says where the run wrote. Run without
// SYSTEMC_DISABLE_COPYRIGHT_MESSAGE, so that it also checks that no SystemC banner is printed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

TEST_CASE("every shipped system names its bounding resource with utilizations <= 1", "[bottleneck]") {
  const std::string trace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";
  std::vector<fs::path> systems;
  for (const auto& e : fs::directory_iterator(test::source_dir() + "/configs/systems"))
    if (e.path().extension() == ".yaml") systems.push_back(e.path());
  std::sort(systems.begin(), systems.end());
  REQUIRE(systems.size() >= 10);
  const fs::path scratch = test::scratch_dir("bottleneck");
  for (const auto& system : systems) {
    INFO(system.filename().string());
    const fs::path out = scratch / system.stem();
    // Eight-way tensor parallel needs more KV heads than TinyLlama's four: Llama-2-7B (32).
    const bool eight_way = system.stem().string().find("-8x-tp") != std::string::npos;
    const std::string t = eight_way ? test::source_dir() + "/traces/captured/llama-2-7b-q4_0.lxt.gz" : trace;
    const auto r =
        test::run_command("'" + test::explorer_bin() + "' run '" + system.string() + "' --trace '" + t +
                          "' --set workload.decode_steps=1 --out '" + out.string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, !Contains("SystemC") && !Contains("Copyright"));
    CHECK_THAT(r.out, Contains("wrote " + out.string()));
    const auto summary = test::read_csv(out / "summary.csv");
    REQUIRE(summary.size() == 1);
    const std::string bound = summary[0].at("bound_resource");
    CHECK_THAT(r.out, Contains("bounded by " + bound));
    const double bound_u = std::stod(summary[0].at("bound_utilization"));
    CHECK(bound_u > 0);
    CHECK(bound_u <= 1.0);
    for (const auto& row : test::read_csv(out / "components.csv")) {
      INFO(row.at("component"));
      CHECK(std::stod(row.at("utilization")) >= 0);
      CHECK(std::stod(row.at("utilization")) <= 1.0);
    }
    double highest = 0;
    int bounding_rows = 0;
    for (const auto& row : test::read_csv(out / "bottleneck.csv")) {
      INFO(row.at("resource"));
      const double u = std::stod(row.at("utilization"));
      CHECK(u >= 0);
      CHECK(u <= 1.0);
      CHECK(std::stod(row.at("busiest_utilization")) <= 1.0);
      CHECK(std::stod(row.at("busiest_utilization")) >= u - 1e-12);
      highest = std::max(highest, u);
      if (row.at("bounds") == "yes") {
        ++bounding_rows;
        CHECK(row.at("resource") == bound);
      }
    }
    CHECK(bounding_rows == 1);
    CHECK(bound_u == Approx(highest));
  }
}
