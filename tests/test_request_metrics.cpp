// Prefill as a phase of its own (explorer/run/request_metrics.*): TTFT, TPOT, request latency and their
// energy in summary.csv, consistent with tokens.csv; a 2k-token prompt of Llama-2-7B on the LPDDR5X
// accelerator is compute-bound: its TTFT is at least both roofline bounds (the PEs' MAC and vector work at
// peak, the DRAM bytes at peak bandwidth), the PE bound is the larger by far, and the TTFT is at most the
// no-overlap sum of the PE bound, the DRAM bound and the PE buffers' busy time (the PE reads an op's
// activations from its buffer before computing it); and a run without a simulated prefill leaves the
// prefill's cells empty.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "explorer/run/csv.h"
#include "explorer/trace/trace.h"
#include "explorer/workload/workload.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;

namespace {

std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  std::istringstream in(test::read_text(path));
  std::string line;
  std::getline(in, line);
  const auto header = split_csv_line(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    const auto cells = split_csv_line(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(row);
  }
  return rows;
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  INFO(key);
  REQUIRE(row.count(key));
  return std::stod(row.at(key));
}

bool mac_work(trace::OpKind k) {
  return trace::is_matmul(k) || k == trace::OpKind::attention_score || k == trace::OpKind::attention_value ||
         k == trace::OpKind::attention;
}

}  // namespace

TEST_CASE("request: TTFT of a 2k prompt on the LPDDR5X accelerator lies between the roofline bounds",
          "[request][run]") {
  const fs::path dir = test::scratch_dir("request-ttft");
  const std::string src = test::source_dir();
  const std::string trace = src + "/traces/captured/llama-2-7b-q4_0.lxt.gz";
  const auto r = test::explorer("run '" + src + "/configs/systems/lpddr5x-accel.yaml' --trace '" + trace +
                                "' --set workload.include_prefill=true --set workload.prompt_tokens=2048 "
                                "--set workload.decode_steps=2 --out '" +
                                (dir / "out").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto summary = read_csv(dir / "out" / "summary.csv").at(0);
  const auto steps = read_csv(dir / "out" / "tokens.csv");
  REQUIRE(steps.size() == 3);
  REQUIRE(steps[0].at("phase") == "prefill");

  // The prefill's work, from the workload stage at the same shape.
  WorkloadSpec spec;
  spec.prompt_tokens = 2048;
  spec.decode_steps = 2;
  spec.include_prefill = true;
  const Workload w = build_workload(trace::read_trace(trace), spec);
  double mac_flops = 0, vector_flops = 0;
  for (const trace::Op& op : w.steps[0].ops) (mac_work(op.kind) ? mac_flops : vector_flops) += op.flops;
  // The system: 8 PEs of 1024 FP16 MACs and 256 vector lanes at 1 GHz; 8 LPDDR5X-8533 x16 channels.
  const double pe_peak = 8 * 2.0 * 1024 * 1e9, vector_peak = 8 * 256 * 1e9;
  const double compute_s = mac_flops / pe_peak + vector_flops / vector_peak;
  const double bytes = num(steps[0], "dram_read_bytes") + num(steps[0], "dram_write_bytes");
  const double memory_s = bytes / (num(summary, "dram_peak_gbps") * 1e9);
  // The busiest PE buffer over the whole run (prefill and both decode steps), its two ports served in series
  // (components.csv gives its busier port; component_metrics.csv each port).
  std::map<std::string, double> port_busy;
  for (const auto& m : read_csv(dir / "out" / "component_metrics.csv"))
    if (m.at("metric") == "read_port_busy_s" || m.at("metric") == "write_port_busy_s")
      port_busy[m.at("component")] += num(m, "value");
  double buffer_s = 0;
  for (const auto& [component, busy] : port_busy) buffer_s = std::max(buffer_s, busy);
  const double ttft_s = num(summary, "ttft_ms") / 1e3;
  INFO("TTFT " << ttft_s << " s; PE roofline " << compute_s << " s; bandwidth roofline " << memory_s
               << " s; buffer busy " << buffer_s << " s");
  CHECK(compute_s > 10 * memory_s);  // prefill is compute-bound
  CHECK(ttft_s >= compute_s);
  CHECK(ttft_s >= memory_s);
  CHECK(ttft_s <= compute_s + memory_s + buffer_s);
  CHECK(ttft_s <= 1.2 * compute_s);

  // The request's figures add up: TTFT is the prefill step, TPOT the mean decode step, the request both.
  CHECK(num(summary, "ttft_ms") == Approx(num(steps[0], "latency_ms")).epsilon(1e-9));
  const double tpot = (num(steps[1], "latency_ms") + num(steps[2], "latency_ms")) / 2;
  CHECK(num(summary, "tpot_ms") == Approx(tpot).epsilon(1e-9));
  CHECK(num(summary, "output_tokens") == 3);
  CHECK(num(summary, "request_latency_ms") == Approx(num(summary, "ttft_ms") + 2 * tpot).epsilon(1e-9));
  CHECK(num(summary, "prefill_tokens_per_s") == Approx(2048 / ttft_s).epsilon(1e-9));
  CHECK(num(summary, "prefill_energy_j") == Approx(num(steps[0], "energy_j")).epsilon(1e-9));
  CHECK(num(summary, "decode_energy_j") ==
        Approx(num(steps[1], "energy_j") + num(steps[2], "energy_j")).epsilon(1e-9));
  CHECK(num(summary, "request_energy_j") == Approx(num(summary, "energy_j")).epsilon(1e-9));
  CHECK(num(summary, "request_energy_max_j") == Approx(num(summary, "energy_max_j")).epsilon(1e-9));
  CHECK(num(summary, "request_energy_max_j") >= num(summary, "request_energy_j"));
}

TEST_CASE("request: without a simulated prefill the prefill's cells are empty", "[request][run]") {
  const fs::path dir = test::scratch_dir("request-no-prefill");
  const std::string src = test::source_dir();
  const auto r = test::explorer("run '" + src + "/configs/systems/ideal-roofline.yaml' --trace '" + src +
                                "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz' --set workload.decode_steps=2 "
                                "--out '" +
                                (dir / "out").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto summary = read_csv(dir / "out" / "summary.csv").at(0);
  for (const char* key : {"ttft_ms", "prefill_tokens_per_s", "request_latency_ms", "prefill_energy_j",
                          "request_energy_j", "request_energy_max_j"})
    CHECK(summary.at(key).empty());
  CHECK(num(summary, "tpot_ms") == Approx(num(summary, "ms_per_token")).epsilon(1e-9));
  CHECK(num(summary, "output_tokens") == 2);
  CHECK(num(summary, "decode_energy_j") == Approx(num(summary, "energy_j")).epsilon(1e-9));
}
