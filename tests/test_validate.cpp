// `explorer validate`: the shipped validation systems are exactly the machine rule's output; a small row set
// gives the table, the CSV (error = predicted / measured - 1) and the exit code of the bounds; bad rows stop
// with one file:line error and no output file. The accuracy of the shipped set is checked by its own test
// (test_validate_accuracy.cpp).
#include <catch2/catch.hpp>

#include "explorer/validate/machine_rule.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const char* kHeader = "id,machine,runtime,trace,measured_tokens_per_s,set,measurement,source\n";

std::string rows_file(const fs::path& dir, const std::string& body) {
  return test::write_text(dir / "rows.csv", std::string(kHeader) + body).string();
}

// One shipped machine of validation/machines.csv.
MachineSpec find(const std::string& name) {
  for (const MachineSpec& m : read_machines((fs::path(test::source_dir()) / "validation" / "machines.csv").string()))
    if (m.name == name) return m;
  FAIL("no machine " << name);
  return MachineSpec{};
}

}  // namespace

TEST_CASE("validation systems are the machine rule applied to validation/machines.csv", "[validate]") {
  const auto differing = sync_validation_systems(test::source_dir(), false);
  INFO("regenerate with `explorer validate systems --write`");
  CHECK(differing.empty());
}

TEST_CASE("the machine rule keeps enough tiles in flight to cover a channel's bandwidth x latency",
          "[validate]") {
  // RTX 4090: 24 GDDR6X channels of 42 GB/s, 21 kB each in 500 ns, over 16 KiB per channel per tile: 2 + 2.
  MachineSpec m = find("nvidia-rtx-4090");
  CHECK_THAT(system_config_text(m, test::source_dir()),
             Contains("count: 1 ") && Contains("buffer_slots: 4 "));
  // M2: 16-bit LPDDR5-6400 channels of 12.8 GB/s, 6.4 kB in 500 ns: 2 + 1.
  CHECK_THAT(system_config_text(find("apple-m2-8c"), test::source_dir()), Contains("buffer_slots: 3 "));
  // A latency no buffer can cover is refused by name, not written as a config that fails later.
  m.memory_latency_ns = 1e5;
  CHECK_THROWS_WITH(system_config_text(m, test::source_dir()),
                    Contains("nvidia-rtx-4090: memory_latency_ns") && Contains("more than a PE's 64"));
}

TEST_CASE("the machine rule sizes the channels to the machine's memory", "[validate]") {
  // RTX 5090: 64 GDDR7 channels of the preset's 0.5 GiB are its 32 GiB, so the preset's rows stand.
  CHECK_THAT(system_config_text(find("nvidia-rtx-5090"), test::source_dir()), !Contains("organisation:"));
  // RTX 3090: 24 GiB (clamshell 8 Gb dies) over 24 GDDR6X channels of the preset's 0.5 GiB: twice its rows.
  MachineSpec m = find("nvidia-rtx-3090");
  CHECK_THAT(system_config_text(m, test::source_dir()), Contains("organisation: {rows: 32768}"));
  // A size the channels cannot hold in whole rows is refused by name.
  m.memory_gib = 20;
  CHECK_THROWS_WITH(system_config_text(m, test::source_dir()),
                    Contains("nvidia-rtx-3090: memory_gib 20 over 24 gddr6x-21000 channels"));
  // The shipped config holds an F16 Llama-3-8B (16.1 GB) on the card, with nothing sent over the host link.
  const fs::path dir = test::scratch_dir("validate-capacity");
  const auto r =
      test::explorer("run '" + test::source_dir() + "/configs/validation/nvidia-rtx-3090.yaml' --trace '" +
                     test::source_dir() + "/traces/captured/llama-3-8b-f16.lxt.gz' --set " +
                     "workload.decode_steps=1 --out '" + (dir / "run").string() + "'");
  REQUIRE(r.exit_code == 0);
  const auto summary = test::read_csv(dir / "run" / "summary.csv");
  REQUIRE(summary.size() == 1);
  CHECK(std::stod(summary[0].at("dram_capacity_bytes")) == 24.0 * (1ull << 30));
  CHECK(summary[0].at("offloaded_weight_bytes") == "0");
}

TEST_CASE("validate prints and writes measured vs predicted with the signed error", "[validate]") {
  const fs::path dir = test::scratch_dir("validate-table");
  const std::string rows = rows_file(
      dir,
      "tiny-a,apple-m2-8c,llama-cpp-metal-2023,traces/captured/tinyllama-1.1b-q4_0.lxt.gz,100,fit,m,s\n"
      "tiny-b,apple-m2-8c,llama-cpp-metal-2023,traces/captured/tinyllama-1.1b-q8_0.lxt.gz,50,holdout,m,s\n");
  const std::string common =
      "validate --root '" + test::source_dir() + "' --rows '" + rows + "' --steps 1 -j 2";
  const auto r = test::explorer(common + " --out '" + (dir / "table.csv").string() + "'");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("tiny-a") && Contains("tiny-b") && Contains("median |error|"));
  const auto table = test::read_csv(dir / "table.csv");
  REQUIRE(table.size() == 2);
  for (const auto& row : table) {
    CHECK(row.at("status") == "ok");
    const double measured = std::stod(row.at("measured_tokens_per_s"));
    const double predicted = std::stod(row.at("predicted_tokens_per_s"));
    CHECK(predicted > 0);
    CHECK(std::stod(row.at("error")) == Approx(predicted / measured - 1).epsilon(1e-9));
  }
  CHECK(table[0].at("set") == "fit");
  CHECK(table[1].at("class") == "apple");
  // Bounds: exit 3 when the median or the worst error exceeds them.
  CHECK(test::explorer(common + " --max-median 0").exit_code == 3);
  CHECK(test::explorer(common + " --max-median 100 --max-worst 100").exit_code == 0);
}

TEST_CASE("validate fails a row whose model does not fit the machine", "[validate]") {
  // F16 Llama-3-8B (16.1 GB) on the 12 GB RTX 3060: the run streams weights over PCIe, which the measured
  // card did not, so the row is reported failed and left out of the error summary.
  const fs::path dir = test::scratch_dir("validate-offload");
  const std::string rows = rows_file(
      dir, "big,nvidia-rtx-3060-12gb,llama-cpp-cuda-graphs-2025,traces/captured/llama-3-8b-f16.lxt.gz,30,holdout,m,s\n");
  const auto r = test::explorer("validate --root '" + test::source_dir() + "' --rows '" + rows +
                                "' --steps 1 --out '" + (dir / "table.csv").string() + "'");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("failed: the model does not fit the machine's memory"));
  const auto table = test::read_csv(dir / "table.csv");
  REQUIRE(table.size() == 1);
  CHECK_THAT(table[0].at("status"), Contains("does not fit"));
}

TEST_CASE("validate refuses bad rows with one located line and writes nothing", "[validate]") {
  const fs::path dir = test::scratch_dir("validate-bad");
  const std::string out = (dir / "table.csv").string();
  auto run = [&](const std::string& body) {
    return test::explorer("validate --root '" + test::source_dir() + "' --rows '" + rows_file(dir, body) +
                          "' --out '" + out + "'");
  };
  auto r = run("x,no-such-machine,llama-cpp-metal-2023,traces/captured/llama-2-7b-f16.lxt.gz,1,fit,m,s\n");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("rows.csv:2: machine: 'no-such-machine' is not in"));
  r = run("x,apple-m2-8c,llama-cpp-metal-2023,traces/captured/llama-2-7b-f16.lxt.gz,fast,fit,m,s\n");
  CHECK_THAT(r.out, Contains("rows.csv:2: measured_tokens_per_s: 'fast' is not a number"));
  r = run("x,apple-m2-8c,llama-cpp-metal-2023,traces/captured/llama-2-7b-f16.lxt.gz,1,tuned,m,s\n");
  CHECK_THAT(r.out, Contains("rows.csv:2: set: 'tuned'"));
  r = run("x,apple-m2-8c,llama-cpp-metal-2023,traces/none.lxt.gz,1,fit,m,s\n");
  CHECK(r.exit_code == 1);  // the row runs and fails: reported in the table, no partial CSV missing rows
  CHECK_THAT(r.out, Contains("failed"));
  CHECK(test::count_lines(test::read_text(out)) == 2);
  fs::remove(out);
  r = run("x,apple-m2-8c,llama-cpp-metal-2023\n");
  CHECK_THAT(r.out, Contains("rows.csv:2: 3 cells, the header has 8"));
  CHECK(!fs::exists(out));
  // An --out no directory can hold is refused before any row runs (an existing file stands in the path).
  const fs::path blocker = test::write_text(dir / "blocker", "");
  r = test::explorer("validate --root '" + test::source_dir() + "' --rows '" +
                     rows_file(dir, "x,apple-m2-8c,llama-cpp-metal-2023,traces/none.lxt.gz,1,fit,m,s\n") +
                     "' --out '" + (blocker / "table.csv").string() + "'");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("validate: --out") && Contains("cannot create") && !Contains("failed"));
}
