// Pareto marking of sweep results: dominance over maximised and minimised objectives, failed points left
// unmarked, a re-run replaces the marking, and bad input is a one-line error.
#include <catch2/catch.hpp>

#include "explorer/sweep/pareto.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using Catch::Matchers::Contains;

namespace {

const std::string kResults =
    "point,point_key,modules.pe.count,status,error,tokens_per_s,j_per_token\n"
    "0,a,2,ok,,100,0.5\n"  // dominated by 2 (faster, cheaper)
    "1,b,4,ok,,150,0.3\n"  // frontier: cheapest
    "2,c,8,ok,,200,0.4\n"  // frontier: fastest
    "3,d,16,error,\"bad, very bad\",,\n"
    "4,e,32,ok,,200,0.4\n";  // equal to 2: neither dominates the other

std::vector<std::string> pareto_column(const std::string& csv) {
  std::vector<std::string> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) out.push_back(line.substr(line.rfind(',') + 1));
  return out;
}

}  // namespace

TEST_CASE("pareto: marks the points no other point beats on every objective", "[sweep]") {
  const std::string marked = mark_pareto(kResults, {{"tokens_per_s", true}, {"j_per_token", false}}, "r.csv");
  CHECK(marked.substr(0, marked.find('\n')) ==
        "point,point_key,modules.pe.count,status,error,tokens_per_s,j_per_token,pareto");
  CHECK(pareto_column(marked) == std::vector<std::string>{"0", "1", "1", "", "1"});
  CHECK_THAT(marked, Contains("\"bad, very bad\""));  // quoted cells survive
  // Marking again replaces the column; one objective alone keeps only the best.
  const std::string again = mark_pareto(marked, {{"j_per_token", false}}, "r.csv");
  CHECK(pareto_column(again) == std::vector<std::string>{"0", "1", "0", "", "0"});
  CHECK(again.substr(0, again.find('\n')).find("pareto,pareto") == std::string::npos);
}

TEST_CASE("pareto: unknown columns, non-numbers and ragged rows are one-line errors", "[sweep]") {
  CHECK_THROWS_WITH(mark_pareto(kResults, {{"watts", true}}, "r.csv"),
                    "r.csv:1: no column 'watts' to optimise");
  CHECK_THROWS_WITH(mark_pareto(kResults, {}, "r.csv"), Contains("no objectives"));
  CHECK_THROWS_WITH(mark_pareto(kResults, {{"point_key", true}}, "r.csv"),
                    "r.csv:2: column point_key: 'a' is not a number");
  CHECK_THROWS_WITH(mark_pareto("status,x\nok,1,2\n", {{"x", true}}, "r.csv"),
                    "r.csv:2: 3 cells for 2 columns");
}

TEST_CASE("pareto: explorer sweep pareto marks a real sweep's results in place", "[sweep]") {
  const auto dir = test::scratch_dir("pareto-cli");
  const std::string spec = test::source_dir() + "/configs/sweeps/example.yaml";
  auto r = test::explorer("sweep '" + spec + "' -j 2 --out '" + (dir / "s").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = test::explorer("sweep pareto '" + (dir / "s/results.csv").string() +
                     "' --max tokens_per_s --min j_per_token");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto rows = test::read_csv(dir / "s/results.csv");
  REQUIRE(rows.size() == 7);
  int frontier = 0;
  for (const auto& a : rows) {
    REQUIRE(a.count("pareto"));
    if (a.at("pareto") != "1") continue;
    ++frontier;
    // No point beats a frontier point on both objectives.
    for (const auto& b : rows)
      CHECK_FALSE((std::stod(b.at("tokens_per_s")) > std::stod(a.at("tokens_per_s")) &&
                   std::stod(b.at("j_per_token")) < std::stod(a.at("j_per_token"))));
  }
  CHECK(frontier >= 1);
  CHECK(frontier < 7);
  r = test::explorer("sweep pareto '" + (dir / "s/results.csv").string() + "' --max no_such_column");
  CHECK(r.exit_code == 1);
  CHECK(test::count_lines(r.out) == 1);
}
