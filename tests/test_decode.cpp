// The decode simulation against its rooflines (issue 5): memory-bound decode lands near, never above, the
// bandwidth roofline; compute-bound decode near, never above, the PE roofline; fewer weight bits mean
// proportionally less traffic and more tokens/s; more PEs do not help a memory-bound decode.
#include <catch2/catch.hpp>

#include <map>

#include "explorer/trace/generator.h"
#include "explorer/trace/trace.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;

namespace {

const std::string kSystems = test::source_dir() + "/configs/systems/";
const std::string kCaptured = test::source_dir() + "/traces/captured/";

std::map<std::string, std::string> csv_row(const fs::path& path) {
  const auto rows = test::read_csv(path);
  REQUIRE(!rows.empty());
  return rows[0];
}

// Runs explorer and returns its summary row.
std::map<std::string, std::string> run(const fs::path& dir, const std::string& name, const std::string& args) {
  const fs::path out = dir / name;
  auto r = test::explorer("run " + args + " --out '" + out.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  return csv_row(out / "summary.csv");
}

// Off-chip bytes (weights + KV cache) per decode step of a trace, averaged over its first `steps` steps.
double bytes_per_step(const std::string& path, uint32_t steps) {
  const trace::Trace t = trace::read_trace(path);
  uint64_t first = UINT32_MAX, total = 0;
  for (const auto& op : t.ops)
    if (op.phase == trace::Phase::decode) first = std::min<uint64_t>(first, op.step);
  for (const auto& op : t.ops)
    if (op.phase == trace::Phase::decode && op.step < first + steps)
      total += op.weight_bytes + op.kv_read_bytes + op.kv_write_bytes;
  return static_cast<double>(total) / steps;
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  REQUIRE(row.count(key));
  return std::stod(row.at(key));
}

}  // namespace

TEST_CASE("decode: memory-bound batch-1 decode lands at 70-100% of the bandwidth roofline", "[decode]") {
  const auto dir = test::scratch_dir("roofline-bw");
  const std::string trace = kCaptured + "llama-2-7b-q4_0.lxt.gz";
  const double bytes = bytes_per_step(trace, 2);
  for (const char* system : {"lpddr5x-accel", "hbm3-accel", "ideal-roofline"}) {
    INFO(system);
    const auto s = run(dir, system, "'" + kSystems + system + ".yaml' --trace '" + trace +
                                        "' --set workload.decode_steps=2");
    const double roofline = num(s, "dram_peak_gbps") * 1e9 / bytes;  // tokens/s at batch 1
    CHECK(num(s, "tokens_per_s") <= roofline);
    CHECK(num(s, "tokens_per_s") >= 0.7 * roofline);
  }
}

TEST_CASE("decode: compute-bound decode (large batch, ample bandwidth) approaches the PE roofline", "[decode]") {
  const auto dir = test::scratch_dir("roofline-pe");
  // TinyLlama at batch 256 (generated from its public config) on memory 15x faster than the PEs need.
  trace::GenOptions o;
  o.weights = "F16";
  o.batch = 256;
  o.prompt_len = 16;
  o.decode_steps = 2;
  const auto models = trace::load_model_configs(test::source_dir() + "/traces/model_configs.json");
  const fs::path trace_file = dir / "tiny-b256.lxt.gz";
  trace::write_trace(trace::generate_trace(trace::find_model(models, "TinyLlama-1.1B"), o), trace_file.string());
  const auto s = run(dir, "out", "'" + kSystems + "ideal-roofline.yaml' --trace '" + trace_file.string() +
                                     "' --set modules.mem.bandwidth_gbps=2000 --set modules.mem.capacity_gib=8");
  // PE roofline: 8 PEs x 1024 FP16 MACs x 2 FLOP x 1 GHz (configs/compute/pe-fp16-1ghz.yaml).
  double peak_flops = 0;
  for (const auto& m : test::read_csv(dir / "out/component_metrics.csv"))
    if (m.at("metric") == "peak_gflops") peak_flops += std::stod(m.at("value")) * 1e9;
  CHECK(peak_flops == Approx(8 * 1024 * 2 * 1e9));
  const trace::Trace t = trace::read_trace(trace_file.string());
  double flops = 0;
  for (const auto& op : t.ops)
    if (op.phase == trace::Phase::decode) flops += op.flops;
  const double roofline = peak_flops / (flops / o.decode_steps) * o.batch;  // tokens/s
  CHECK(num(s, "tokens_per_s") <= roofline);
  CHECK(num(s, "tokens_per_s") >= 0.7 * roofline);
}

TEST_CASE("decode: halving weight bits halves weight traffic and nearly doubles tokens/s when memory-bound",
          "[decode]") {
  const auto dir = test::scratch_dir("bits");
  const std::string sys = "'" + kSystems + "lpddr5x-accel.yaml' --set workload.decode_steps=2 --trace ";
  const auto q8 = run(dir, "q8", sys + "'" + kCaptured + "llama-2-7b-q8_0.lxt.gz'");
  const auto q4 = run(dir, "q4", sys + "'" + kCaptured + "llama-2-7b-q4_0.lxt.gz'");
  const double traffic = num(q4, "dram_read_bytes") / num(q8, "dram_read_bytes");
  CHECK(traffic == Approx(18.0 / 34.0).epsilon(0.03));  // Q4_0 18 B vs Q8_0 34 B per 32 weights
  const double speedup = num(q4, "tokens_per_s") / num(q8, "tokens_per_s");
  CHECK(speedup == Approx(1 / traffic).epsilon(0.1));
}

TEST_CASE("decode: doubling the PEs of a memory-bound decode changes tokens/s by less than 5%", "[decode]") {
  const auto dir = test::scratch_dir("pes");
  const std::string sys = "'" + kSystems + "lpddr5x-accel.yaml' --set workload.decode_steps=2";
  const auto p8 = run(dir, "p8", sys);
  const auto p16 = run(dir, "p16", sys + " --set modules.pe.count=16 --set modules.buf.count=16");
  CHECK(num(p16, "tokens_per_s") == Approx(num(p8, "tokens_per_s")).epsilon(0.05));
}

TEST_CASE("decode: every shipped system config runs and stays under its bandwidth peak", "[decode]") {
  const auto dir = test::scratch_dir("systems");
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kSystems)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().stem().string();
    INFO(name);
    const auto s = run(dir, name, "'" + entry.path().string() + "' --set workload.decode_steps=1");
    CHECK(num(s, "tokens") >= 1);
    CHECK(num(s, "dram_bandwidth_share") <= 1.0);
    CHECK(num(s, "energy_j") > 0);
    ++n;
  }
  CHECK(n >= 6);
}
