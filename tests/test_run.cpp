// End to end: `explorer run` on a system config and the bundled trace. Checks the physics of the results
// (bytes conserved, nothing beats its peak, energy adds up), determinism, the process model, and that bad
// input gives one line naming file:line and key, a non-zero exit and no output directory.
#include <catch2/catch.hpp>

#include <map>
#include <systemc>

#include "explorer/run/process.h"
#include "explorer/run/run.h"
#include "explorer/trace/trace.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

const std::string kTrace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";
const std::string kSystem = test::source_dir() + "/configs/systems/ideal-roofline.yaml";

// A CSV file as rows of column -> value; every row must be as wide as the header.
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  auto rows = test::read_csv(path);
  for (const auto& r : rows) REQUIRE(!r.count("#cells"));
  return rows;
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  auto it = row.find(key);
  REQUIRE(it != row.end());
  return std::stod(it->second);
}

// A system config in a scratch dir that includes the shipped presets; `edit` rewrites its text.
fs::path system_file(const fs::path& dir, const std::string& text) {
  return test::write_text(dir / "system.yaml", text);
}

std::string shipped_system_text() {
  std::string text = test::read_text(kSystem);
  // Make the relative includes absolute so the copy works from anywhere.
  const std::string configs = test::source_dir() + "/configs/";
  for (std::string from :
       {"../compute/", "../buffers/", "../interconnect/", "../memory/", "../host/", "../cost/"}) {
    for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, 3, configs);
  }
  const std::string trace_rel = "../../traces/";
  if (auto at = text.find(trace_rel); at != std::string::npos)
    text.replace(at, trace_rel.size(), test::source_dir() + "/traces/");
  return text;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Runs explorer on `config` expecting failure; checks the one-line error and that nothing was written.
std::string expect_failure(const fs::path& config, const std::string& extra = "") {
  const fs::path out = config.parent_path() / "out";
  auto r = test::explorer("run '" + config.string() + "' --out '" + out.string() + "' " + extra);
  INFO(r.out);
  CHECK(r.exit_code != 0);
  CHECK(test::count_lines(r.out) == 1);
  CHECK_THAT(r.out, StartsWith("explorer: "));
  CHECK(!fs::exists(out));
  for (const auto& e : fs::directory_iterator(config.parent_path()))
    CHECK(e.path().filename().string().find("partial") == std::string::npos);
  return r.out;
}

}  // namespace

TEST_CASE("run: results obey the physics: bytes conserved, peak respected, energy adds up", "[run]") {
  const auto dir = test::scratch_dir("physics");
  RunRequest req;
  req.config_path = kSystem;
  req.trace_path = kTrace;
  req.out_dir = (dir / "out").string();
  run_point(req);

  // What the trace demands of device memory: weights and KV cache reads, KV appends (activations stay in the
  // PEs' buffers in this system).
  const trace::Trace tr = trace::read_trace(kTrace);
  uint64_t demand_read = 0, demand_write = 0;
  std::map<uint32_t, uint64_t> step_bytes;
  for (const auto& op : tr.ops) {
    if (op.phase != trace::Phase::decode) continue;
    demand_read += op.weight_bytes + op.kv_read_bytes;
    demand_write += op.kv_write_bytes;
    step_bytes[op.step] += op.weight_bytes + op.kv_read_bytes + op.kv_write_bytes;
  }
  REQUIRE(demand_read > 0);

  const auto summary = read_csv(dir / "out/summary.csv");
  REQUIRE(summary.size() == 1);
  const auto& s = summary[0];
  CHECK(num(s, "dram_read_bytes") == demand_read);
  CHECK(num(s, "dram_write_bytes") == demand_write);
  const double peak = num(s, "dram_peak_gbps") * 1e9;
  CHECK(peak == Approx(8 * 17.066e9));
  CHECK(num(s, "dram_bandwidth_share") <= 1.0);
  CHECK(num(s, "sim_time_s") >= (demand_read + demand_write) / peak);
  CHECK(num(s, "tokens") == tr.header.decode_steps * tr.header.batch);
  // Roofline: tokens/s can never beat peak bandwidth / bytes per token.
  const double bytes_per_step = static_cast<double>(demand_read + demand_write) / tr.header.decode_steps;
  CHECK(num(s, "tokens_per_s") <= peak / bytes_per_step * tr.header.batch);
  // ... and with ideal memory a memory-bound decode gets close to it.
  CHECK(num(s, "tokens_per_s") >= 0.5 * peak / bytes_per_step * tr.header.batch);

  // Per step: no step moves its bytes faster than peak.
  const auto tokens = read_csv(dir / "out/tokens.csv");
  REQUIRE(tokens.size() == tr.header.decode_steps);
  double token_energy = 0, token_energy_max = 0;
  for (const auto& t : tokens) {
    const uint32_t step = static_cast<uint32_t>(num(t, "step"));
    CHECK(num(t, "latency_ms") * 1e-3 >= step_bytes[step] / peak);
    CHECK(num(t, "dram_read_bytes") + num(t, "dram_write_bytes") == step_bytes[step]);
    token_energy += num(t, "energy_j");
    token_energy_max += num(t, "energy_max_j");
  }

  // Energy, in each bound (typical, maximum): each component's total is the sum of its kinds; the run's total
  // is the sum of components; the maximum bound is no lower than the typical one.
  const auto comps = read_csv(dir / "out/components.csv");
  double total = 0, total_max = 0;
  for (const auto& c : comps) {
    double parts = 0, parts_max = 0;
    for (const auto& [key, value] : c) {
      if (key.rfind("energy_", 0) != 0 || key.rfind("energy_total", 0) == 0) continue;
      const bool max = key.size() > 6 && key.compare(key.size() - 6, 6, "_max_j") == 0;
      (max ? parts_max : parts) += std::stod(value);
    }
    CHECK(num(c, "energy_total_j") == Approx(parts).epsilon(1e-9));
    CHECK(num(c, "energy_total_max_j") == Approx(parts_max).epsilon(1e-9));
    CHECK(num(c, "energy_total_max_j") >= num(c, "energy_total_j"));
    CHECK(num(c, "utilization") <= 1.0);
    total += num(c, "energy_total_j");
    total_max += num(c, "energy_total_max_j");
  }
  CHECK(num(s, "energy_j") == Approx(total).epsilon(1e-9));
  CHECK(num(s, "energy_max_j") == Approx(total_max).epsilon(1e-9));
  CHECK(token_energy == Approx(total).epsilon(1e-6));
  CHECK(token_energy_max == Approx(total_max).epsilon(1e-6));
  CHECK(num(s, "j_per_token") * num(s, "tokens") == Approx(total).epsilon(1e-6));
  CHECK(num(s, "j_per_token_max") * num(s, "tokens") == Approx(total_max).epsilon(1e-6));
  CHECK(fs::exists(dir / "out/resolved_config.yaml"));

  // The per-layer and per-kind breakdowns account for the same ops, time and bytes.
  double layer_ms = 0, kind_ms = 0, layer_bytes = 0, kind_bytes = 0, layer_ops = 0;
  for (const auto& r : read_csv(dir / "out/layers.csv")) {
    layer_ms += num(r, "time_ms");
    layer_bytes += num(r, "device_bytes");
    layer_ops += num(r, "ops");
    CHECK(num(r, "memory_bound_ops") <= num(r, "ops"));
    CHECK(num(r, "achieved_gbps") <= peak / 1e9 * (1 + 1e-9));
  }
  for (const auto& r : read_csv(dir / "out/op_kinds.csv")) {
    kind_ms += num(r, "time_ms");
    kind_bytes += num(r, "device_bytes");
  }
  CHECK(layer_ms == Approx(kind_ms));
  CHECK(layer_bytes == kind_bytes);
  CHECK(layer_bytes == demand_read + demand_write);
  CHECK(layer_ms <= num(s, "decode_time_s") * 1e3);
  size_t decode_ops = 0;
  for (const auto& op : tr.ops) decode_ops += op.phase == trace::Phase::decode;
  CHECK(layer_ops == decode_ops);
}

TEST_CASE("run: the same config and trace give byte-identical CSV files", "[run]") {
  const auto dir = test::scratch_dir("determinism");
  for (const char* out : {"a", "b"}) {
    auto r =
        test::explorer("run '" + kSystem + "' --trace '" + kTrace + "' --out '" + (dir / out).string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
  }
  for (const char* f :
       {"summary.csv", "tokens.csv", "components.csv", "component_metrics.csv", "resolved_config.yaml"}) {
    INFO(f);
    const std::string a = test::read_text(dir / "a" / f);
    CHECK(!a.empty());
    CHECK(a == test::read_text(dir / "b" / f));
  }
}

TEST_CASE("run: the resolved config alone reproduces the run", "[run]") {
  const auto dir = test::scratch_dir("reproduce");
  auto r = test::explorer("run '" + kSystem + "' --trace '" + kTrace +
                          "' --set modules.pe.count=4 --set modules.buf.count=4 --out '" +
                          (dir / "first").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  r = test::explorer("run '" + (dir / "first/resolved_config.yaml").string() + "' --out '" +
                     (dir / "again").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(test::read_text(dir / "first/summary.csv") == test::read_text(dir / "again/summary.csv"));
  CHECK(test::read_text(dir / "first/components.csv") == test::read_text(dir / "again/components.csv"));
  CHECK_THAT(test::read_text(dir / "first/resolved_config.yaml"), Contains("count: 4"));
}

TEST_CASE("run: each design point runs in its own process and the parent never elaborates", "[run]") {
  const auto dir = test::scratch_dir("fork");
  for (int pes : {2, 8}) {
    const int code = run_in_child([&] {
      RunRequest req;
      req.config_path = kSystem;
      req.trace_path = kTrace;
      req.overrides = {"modules.pe.count=" + std::to_string(pes), "modules.buf.count=" + std::to_string(pes)};
      req.out_dir = (dir / std::to_string(pes)).string();
      run_point(req);
      return 0;
    });
    CHECK(code == 0);
    CHECK(fs::exists(dir / std::to_string(pes) / "summary.csv"));
  }
  CHECK(sc_core::sc_get_top_level_objects().empty());
  // A child that fails reports through its exit code.
  CHECK(run_in_child([] { return 3; }) == 3);
}

TEST_CASE("run: an unknown key fails with file:line and the key path", "[run][errors]") {
  const auto dir = test::scratch_dir("err-unknown");
  auto cfg = system_file(dir, replace(shipped_system_text(), "  noc:\n", "  noc:\n    hop_latency_us: 3\n"));
  CHECK_THAT(expect_failure(cfg), Contains("system.yaml:19:5: modules.noc.hop_latency_us: unknown key"));
}

TEST_CASE("run: a wrong type fails with file:line and the key path", "[run][errors]") {
  const auto dir = test::scratch_dir("err-type");
  auto cfg = system_file(
      dir, replace(shipped_system_text(), "    count: 8\n    include: ", "    count: eight\n    include: "));
  CHECK_THAT(expect_failure(cfg), Contains("system.yaml:12:12: modules.pe.count: expected a whole number"));
}

TEST_CASE("run: a negative bandwidth fails with file:line and the key path", "[run][errors]") {
  const auto dir = test::scratch_dir("err-negative");
  auto cfg =
      system_file(dir, replace(shipped_system_text(), "  noc:\n", "  noc:\n    link_bandwidth_gbps: -64\n"));
  CHECK_THAT(expect_failure(cfg), Contains("system.yaml:19:26: modules.noc.link_bandwidth_gbps: -64 is out "
                                           "of range (must be greater than 0 and at most 1e+06: 1 PB/s)"));
  // The same from the command line names the option.
  cfg = system_file(dir, shipped_system_text());
  CHECK_THAT(expect_failure(cfg, "--set modules.mem.bandwidth_gbps=-1"),
             Contains("--set modules.mem.bandwidth_gbps=-1: modules.mem.bandwidth_gbps: -1 is out of range"));
}

TEST_CASE("run: a quantum below the time resolution or beyond a second is refused", "[run][errors]") {
  const auto dir = test::scratch_dir("err-quantum");
  const auto cfg = system_file(dir, shipped_system_text());
  // 1e-30 ns rounded to a zero sc_time: the driver never advanced (a hang).
  CHECK_THAT(expect_failure(cfg, "--set simulation.quantum_ns=1e-30"),
             Contains("simulation.quantum_ns: 1e-30 is out of range"));
  CHECK_THAT(expect_failure(cfg, "--set simulation.quantum_ns=1e12"),
             Contains("simulation.quantum_ns: 1e+12 is out of range (must be between 0.001 and 1e+09)"));
}

TEST_CASE("run: a PE or SRAM clock beyond 1 THz is refused", "[run][errors]") {
  const auto dir = test::scratch_dir("err-clock");
  const auto cfg = system_file(dir, shipped_system_text());
  CHECK_THAT(expect_failure(cfg, "--set modules.pe.clock_mhz=1e308"),
             Contains("modules.pe.clock_mhz: 1e+308 is out of range (must be between 0.001 and 1e+06)"));
  CHECK_THAT(expect_failure(cfg, "--set modules.buf.clock_mhz=2e6"),
             Contains("modules.buf.clock_mhz: 2e+06 is out of range (must be between 0.001 and 1e+06)"));
}

TEST_CASE("run: a missing include file fails naming the include", "[run][errors]") {
  const auto dir = test::scratch_dir("err-include");
  auto cfg = system_file(dir, replace(shipped_system_text(), "sram-512kib.yaml", "sram-missing.yaml"));
  CHECK_THAT(expect_failure(cfg),
             Contains("system.yaml:17:14: modules.buf.include: cannot open included file"));
}

TEST_CASE("run: unbound, doubly bound, mistyped and unknown sockets are refused before simulation",
          "[run][errors]") {
  const auto dir = test::scratch_dir("err-wiring");
  const std::string base = shipped_system_text();
  auto cfg = system_file(dir, replace(base, "  - {from: pe.mem, to: noc.in}\n", ""));
  CHECK_THAT(expect_failure(cfg),
             Contains("system.yaml:10:3: modules.pe: socket 'pe[0].mem' (initiator, memory) is not bound"));
  cfg = system_file(
      dir, replace(base, "  - {from: noc.out, to: mem.target}\n",
                   "  - {from: noc.out, to: mem.target}\n  - {from: noc.out, to: \"mem[2].target\"}\n"));
  CHECK_THAT(expect_failure(cfg),
             Contains("system.yaml:34:25: connections[5]: socket 'mem[2].target' is bound twice "
                      "(already bound at "));
  cfg = system_file(dir, replace(base, "{from: pe.mem, to: noc.in}", "{from: pe.mem, to: host.target}"));
  CHECK_THAT(expect_failure(cfg),
             Contains("connections[3].to: mistyped connection: 'pe.mem' speaks the memory protocol but "
                      "'host.target' speaks host"));
  cfg = system_file(dir, replace(base, "{from: pe.mem, to: noc.in}", "{from: pe.memory, to: noc.in}"));
  CHECK_THAT(expect_failure(cfg),
             Contains("connections[3].from: module 'pe' (type pe) has no socket 'memory'"));
  cfg = system_file(dir, replace(base, "{from: pe.mem, to: noc.in}", "{from: noc.in, to: pe.mem}"));
  CHECK_THAT(expect_failure(cfg), Contains("'noc.in' is a target socket"));
  cfg = system_file(dir, replace(base, "    type: crossbar\n", "    type: mesh\n"));
  CHECK_THAT(expect_failure(cfg), Contains("modules.noc.type: unknown module type 'mesh'"));
}

TEST_CASE("run: a KV cache that fits the PEs' buffers lives on chip and leaves DRAM to the weights",
          "[run]") {
  const auto dir = test::scratch_dir("kv-on-chip");
  const trace::Trace tr = trace::read_trace(kTrace);
  uint64_t weights = 0, kv = 0;
  for (const auto& op : tr.ops)
    if (op.phase == trace::Phase::decode && op.step <= 4) weights += op.weight_bytes, kv += op.kv_read_bytes;
  std::map<std::string, std::map<std::string, std::string>> s;
  for (std::string mode : {"dram", "auto"}) {
    auto r = test::explorer("run '" + kSystem +
                            "' --set workload.decode_steps=4 --set modules.buf.capacity_kib=4096 "
                            "--set driver.kv_cache=" +
                            mode + " --out '" + (dir / mode).string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    s[mode] = read_csv(dir / mode / "summary.csv")[0];
  }
  CHECK(num(s["dram"], "dram_read_bytes") == weights + kv);
  CHECK(num(s["auto"], "dram_read_bytes") == weights);  // the KV cache is served by the buffers
  CHECK(num(s["auto"], "dram_write_bytes") == 0);
  CHECK(num(s["auto"], "tokens_per_s") >= num(s["dram"], "tokens_per_s"));
  double on_chip = 0;
  for (const auto& m : read_csv(dir / "auto/component_metrics.csv"))
    if (m.at("metric") == "kv_bytes_on_chip") on_chip += std::stod(m.at("value"));
  CHECK(on_chip > 0);
  // Required on chip but too big for the buffers: refused before simulation, at the key.
  auto cfg = system_file(dir, shipped_system_text());
  CHECK_THAT(
      expect_failure(cfg, "--set driver.kv_cache=on_chip"),
      Contains("--set driver.kv_cache=on_chip: driver.kv_cache: on_chip, but pe_0's share of the KV cache"));
}

TEST_CASE("run: PE tiles that do not fit the bound buffer are refused at the connection", "[run][errors]") {
  const auto dir = test::scratch_dir("err-tiles");
  auto cfg = system_file(dir, shipped_system_text());
  CHECK_THAT(
      expect_failure(cfg, "--set modules.buf.capacity_kib=256"),
      Contains(
          "system.yaml:31:12: connections[2]: pe[0].buffer -> buf[0].target: buffer_slots x tile_bytes = "
          "524288 B do not fit the buffer's 262144 B"));
}

TEST_CASE("run: a model that does not fit device memory is refused when offload is off", "[run][errors]") {
  const auto dir = test::scratch_dir("err-capacity");
  auto cfg = system_file(dir, shipped_system_text());
  CHECK_THAT(expect_failure(cfg, "--set modules.mem.capacity_gib=0.05 --set driver.offload=false"),
             Contains("driver.offload is false"));
  // Not even the KV cache fits: refused whatever the offload setting.
  CHECK_THAT(expect_failure(cfg, "--set modules.mem.capacity_gib=0.0001"),
             Contains("the KV cache and activations need"));
}

TEST_CASE("run: weights beyond device capacity stream over the host link and its bandwidth sets the slowdown",
          "[run]") {
  const auto dir = test::scratch_dir("offload");
  std::map<int, std::map<std::string, std::string>> by_bw;
  for (int bw : {20, 40}) {
    const auto out = dir / std::to_string(bw);
    auto r = test::explorer("run '" + kSystem +
                            "' --set modules.mem.capacity_gib=0.05 --set workload.decode_steps=4 "
                            "--set modules.host.bandwidth_gbps=" +
                            std::to_string(bw) + " --out '" + out.string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    by_bw[bw] = read_csv(out / "summary.csv")[0];
  }
  const double offloaded = num(by_bw[20], "offloaded_weight_bytes");
  CHECK(offloaded > 0);
  CHECK(num(by_bw[20], "device_memory_used_bytes") <= num(by_bw[20], "dram_capacity_bytes"));
  // Each token must move the offloaded bytes over the link: never faster than the link allows ...
  for (int bw : {20, 40}) CHECK(num(by_bw[bw], "ms_per_token") * 1e-3 >= offloaded / (bw * 1e9));
  // ... and, the link being the bottleneck, doubling it saves about the time the offloaded bytes took.
  const double saved_s = (num(by_bw[20], "ms_per_token") - num(by_bw[40], "ms_per_token")) * 1e-3;
  CHECK(saved_s == Approx(offloaded / 20e9 - offloaded / 40e9).epsilon(0.15));
  // Device memory serves only the resident part.
  CHECK(num(by_bw[20], "dram_read_bytes") < num(by_bw[20], "tokens") * 6.1e8);
}

TEST_CASE("run: command dispatch latency adds per op when serial and hides behind long ops when overlapped",
          "[run]") {
  const auto dir = test::scratch_dir("dispatch");
  std::map<std::string, std::map<std::string, std::string>> res;
  for (std::string mode : {"none", "serial", "overlap"}) {
    std::string set = "--set workload.decode_steps=2";
    if (mode != "none") set += " --set driver.dispatch_latency_ns=2000";
    if (mode == "overlap") set += " --set driver.dispatch_overlap=true";
    auto r = test::explorer("run '" + kSystem + "' " + set + " --set workload.per_op_csv=true --out '" +
                            (dir / mode).string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    res[mode] = read_csv(dir / mode / "summary.csv")[0];
  }
  const auto ops = read_csv(dir / "none/ops.csv");
  const double ops_per_step = static_cast<double>(ops.size()) / 2;
  CHECK(num(res["none"], "dispatch_share") == 0);
  CHECK((num(res["serial"], "ms_per_token") - num(res["none"], "ms_per_token")) * 1e-3 ==
        Approx(ops_per_step * 2e-6).epsilon(1e-3));
  CHECK(num(res["serial"], "dispatch_share") > 0);
  CHECK(num(res["overlap"], "ms_per_token") <= num(res["serial"], "ms_per_token"));
  CHECK(num(res["overlap"], "ms_per_token") >= num(res["none"], "ms_per_token"));
}

TEST_CASE("run: a missing trace or config file is one line", "[run][errors]") {
  const auto dir = test::scratch_dir("err-files");
  auto cfg = system_file(dir, shipped_system_text());
  CHECK_THAT(expect_failure(cfg, "--trace /nonexistent/trace.lxt.gz"),
             Contains("--trace /nonexistent/trace.lxt.gz: cannot open trace file"));
  CHECK_THAT(expect_failure(dir / "absent.yaml"), Contains("absent.yaml: cannot open config file"));
}
