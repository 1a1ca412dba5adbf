// The shipped validation set (validation/measured.csv) predicted within the bounds issue 10 sets: median
// absolute error <= 5% and worst <= 15%, over all rows and within each class (apple: LPDDR unified memory;
// gpu: HBM/GDDR/LPDDR GPUs). One decode step per row keeps it cheap (the KV traffic of one step differs from
// the next by 0.01% of the bytes).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;

TEST_CASE("the shipped validation set is predicted within median 5% and worst 15%", "[validate][accuracy]") {
  const fs::path dir = test::scratch_dir("validate-accuracy");
  const auto r = test::explorer("validate --root '" + test::source_dir() + "' --steps 1 -j 2 --out '" +
                                (dir / "table.csv").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, std::vector<double>> errors;
  for (const auto& row : test::read_csv(dir / "table.csv")) {
    REQUIRE(row.at("status") == "ok");
    const double e = std::fabs(std::stod(row.at("error")));
    errors["all"].push_back(e);
    errors[row.at("class")].push_back(e);
  }
  REQUIRE(errors.count("apple"));
  REQUIRE(errors.count("gpu"));
  for (auto& [group, e] : errors) {
    std::sort(e.begin(), e.end());
    const size_t n = e.size();
    const double median = n % 2 ? e[n / 2] : 0.5 * (e[n / 2 - 1] + e[n / 2]);
    INFO(group << ": " << n << " rows, median " << median << ", worst " << e.back());
    CHECK(median <= 0.05);
    CHECK(e.back() <= 0.15);
  }
}
