// The runtime model (explorer/runtime/): fusion of ops into kernels and splits into several, the per-step
// host cost, launch latency eager or graph-launched, the minimum kernel duration; as plain functions (no
// SystemC), then end to end on a GPU-like system, where an overlapped (graph) launch is never slower than a
// serial one and faster whenever launches are longer than ops, and the runtime's shares of the token time
// are reported next to memory and compute.
#include <catch2/catch.hpp>

#include <random>

#include "explorer/config/loader.h"
#include "explorer/plan/plan.h"
#include "explorer/runtime/runtime.h"
#include "explorer/trace/trace.h"
#include "explorer/workload/workload.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;
const std::string kTrace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";

const Workload& tinyllama() {
  static const Workload w = [] {
    WorkloadSpec spec;
    spec.decode_steps = 1;
    return build_workload(trace::read_trace(kTrace), spec);
  }();
  return w;
}

RuntimeConfig config_from(const std::string& yaml, const fs::path& dir) {
  const auto file = test::write_text(dir / "runtime.yaml", yaml);
  auto tree = load_config(file.string(), {});
  Params p(tree, "", nullptr);
  RuntimeConfig c = RuntimeConfig::read(p);
  p.finish();
  return c;
}

size_t count_engine_op(const WorkloadStep& step, const std::string& name) {
  size_t n = 0;
  for (const auto& op : step.ops) n += op.engine_op == name;
  return n;
}

// End of a chain of kernels of durations `ops` (ps) through `launcher`, each ready when the one before ends.
Picoseconds run_chain(Launcher& launcher, const Kernel& k, const std::vector<Picoseconds>& ops) {
  launcher.begin_step(0);
  Picoseconds t = 0;
  for (Picoseconds d : ops) {
    const Picoseconds s = launcher.start(k, t);
    t = launcher.finish(k, s, s + d);
  }
  return t;
}

}  // namespace

TEST_CASE("runtime: fused engine ops become one kernel, split ops several launches", "[runtime]") {
  const auto dir = test::scratch_dir("runtime-fusion");
  const Workload& w = tinyllama();
  const Plan plan = make_plan(w, {{16 * kGiB, 8}}, PlanConfig{}, "test");
  const WorkloadStep& step = w.steps[0];
  const size_t ops = step.ops.size();
  const size_t norms = count_engine_op(step, "RMS_NORM"), softmaxes = count_engine_op(step, "SOFT_MAX");
  REQUIRE(norms > 0);
  REQUIRE(softmaxes > 0);

  const Schedule one = make_schedule(plan, w, RuntimeConfig{});
  CHECK(one.steps[0].size() == ops);

  const RuntimeConfig c = config_from(
      "fuse_ops: [RMS_NORM+MUL]\nsplit_ops: [SOFT_MAX=3]\ndispatch_latency_ns: 1000\n"
      "min_kernel_ns: 2000\ntoken_overhead_ns: 500000\n",
      dir);
  const Schedule s = make_schedule(plan, w, c);
  CHECK(s.token_overhead == 500'000'000);
  const auto& kernels = s.steps[0];
  // Every RMS_NORM of the Llama graph is followed by its MUL by the norm weight: one kernel each.
  CHECK(kernels.size() == ops - norms);
  uint32_t covered = 0, launches = 0;
  for (const Kernel& k : kernels) {
    CHECK(k.first == covered);  // kernels cover the step's ops in order, each once
    covered += k.count;
    launches += k.launches;
    CHECK(k.launch == 1'000'000ull * k.launches);
    CHECK(k.min_duration == 2'000'000ull * k.launches);
    const trace::Op& first = step.ops[plan.steps[0].ops[k.first].op];
    if (k.count == 2) {
      CHECK(first.engine_op == "RMS_NORM");
      CHECK(step.ops[plan.steps[0].ops[k.first + 1].op].engine_op == "MUL");
    }
    CHECK(k.launches == (first.engine_op == "SOFT_MAX" ? 3u : 1u));
  }
  CHECK(covered == ops);
  CHECK(launches == ops - norms + 2 * softmaxes);
}

TEST_CASE("runtime: the minimum kernel counts its cycles in the cores' clock plus a fixed part",
          "[runtime]") {
  const auto dir = test::scratch_dir("runtime-min-kernel");
  const RuntimeConfig c = config_from("min_kernel_cycles: 3000\nmin_kernel_ns: 500\n", dir);
  CHECK(c.min_kernel(1e9) == 3'500'000);     // 3000 cycles at 1 GHz = 3 us, plus 0.5 us
  CHECK(c.min_kernel(2e9) == 2'000'000);     // the same cycles at twice the clock take half as long
  CHECK(c.min_kernel(1.41e9) == 2'627'660);  // 2127.66 ns + 500 ns, to the picosecond
  CHECK_THROWS_WITH(c.min_kernel(0), Contains("min_kernel_cycles"));
  const RuntimeConfig ns_only = config_from("min_kernel_ns: 500\n", dir);
  CHECK(ns_only.min_kernel(0) == 500'000);  // no cycles: no clock needed
  CHECK(ns_only.min_kernel(2e9) == 500'000);

  const Workload& w = tinyllama();
  const Plan plan = make_plan(w, {{16 * kGiB, 8}}, PlanConfig{}, "test");
  const Schedule s = make_schedule(plan, w, c, 2e9);
  for (const Kernel& k : s.steps[0]) CHECK(k.min_duration == 2'000'000ull * k.launches);
  CHECK_THROWS_WITH(config_from("min_kernel_cycles: -1\n", dir), Contains("min_kernel_cycles"));
}

TEST_CASE("runtime: malformed fusion and split entries name file:line and key", "[runtime][errors]") {
  const auto dir = test::scratch_dir("runtime-errors");
  CHECK_THROWS_WITH(config_from("fuse_ops: [RMS_NORM]\n", dir),
                    Contains("runtime.yaml:1") && Contains("fuse_ops"));
  CHECK_THROWS_WITH(config_from("fuse_ops: [rms_norm+MUL]\n", dir), Contains("not an engine op name"));
  CHECK_THROWS_WITH(config_from("split_ops: [SOFT_MAX=1]\n", dir), Contains("split_ops"));
  CHECK_THROWS_WITH(config_from("split_ops: [SOFT_MAX]\n", dir), Contains("ENGINE_OP=N"));
  CHECK_THROWS_WITH(config_from("split_ops: [SOFT_MAX=2, SOFT_MAX=3]\n", dir), Contains("named twice"));
  CHECK_THROWS_WITH(config_from("min_kernel_ns: -1\n", dir), Contains("min_kernel_ns"));
  CHECK_THROWS_WITH(config_from("token_overhead_ms: 1\n", dir), Contains("token_overhead_ms"));
}

TEST_CASE("runtime: the host's per-step work precedes the first launch, kernels last their minimum",
          "[runtime]") {
  Schedule s;
  s.token_overhead = 300'000;
  Kernel k;
  k.launch = 1'000;
  k.min_duration = 5'000;
  Launcher l(s);
  l.begin_step(1'000'000);
  CHECK(l.start(k, 1'000'000) == 1'301'000);              // host work, then the launch
  CHECK(l.finish(k, 1'301'000, 1'302'000) == 1'306'000);  // a short kernel held to its minimum
  CHECK(l.finish(k, 1'306'000, 1'400'000) == 1'400'000);  // a long one is not
  REQUIRE(l.steps().size() == 1);
  CHECK(l.steps()[0].host == 300'000);
  CHECK(l.steps()[0].launch == 1'000);
  CHECK(l.steps()[0].min_kernel == 4'000);
  CHECK(l.steps()[0].kernels == 1);
}

TEST_CASE("runtime: an overlapped launch is never slower than a serial one, faster when launches exceed ops",
          "[runtime]") {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    Kernel serial;
    serial.launch = std::uniform_int_distribution<Picoseconds>(0, 5'000'000)(rng);
    serial.min_duration = std::uniform_int_distribution<Picoseconds>(0, 3'000'000)(rng);
    Kernel graph = serial;
    graph.overlapped = true;
    std::vector<Picoseconds> ops(50);
    for (auto& d : ops) d = std::uniform_int_distribution<Picoseconds>(0, 10'000'000)(rng);
    Launcher a, b;
    const Picoseconds t_serial = run_chain(a, serial, ops), t_graph = run_chain(b, graph, ops);
    INFO("trial " << trial << " launch " << serial.launch);
    CHECK(t_graph <= t_serial);
    // Every launch hides behind its predecessor except the first: the saving is at least the launches
    // the ops were long enough to cover.
    Picoseconds hidden = 0;
    for (size_t i = 1; i < ops.size(); ++i)
      hidden += std::min(serial.launch, std::max(ops[i - 1], serial.min_duration));
    CHECK(t_serial - t_graph >= hidden);
  }
  // Launches longer than ops: serial pays launch + op per kernel, graph launch only the launch.
  Kernel serial;
  serial.launch = 4'000'000;
  Kernel graph = serial;
  graph.overlapped = true;
  const std::vector<Picoseconds> short_ops(100, 1'000'000);
  Launcher a, b;
  CHECK(run_chain(a, serial, short_ops) == 100 * 5'000'000ull);
  CHECK(run_chain(b, graph, short_ops) == 100 * 4'000'000ull + 1'000'000);
}

TEST_CASE("run: on a GPU-like system, graph launch beats eager launch and the runtime shares add up",
          "[runtime][run]") {
  const auto dir = test::scratch_dir("runtime-run");
  const std::string system = test::source_dir() + "/configs/systems/gpu-hbm3.yaml";
  std::map<std::string, std::map<std::string, std::string>> res;
  const std::map<std::string, std::string> modes = {
      {"none", "--set driver.dispatch_latency_ns=0"},
      {"eager", ""},
      {"graph", "--set driver.dispatch_overlap=true"},
      {"host", "--set driver.token_overhead_ns=200000 --set driver.min_kernel_ns=3000"},
      {"cycles", "--set driver.token_overhead_ns=200000 --set driver.min_kernel_cycles=5670"}};
  for (const auto& [mode, set] : modes) {
    const auto r =
        test::explorer("run '" + system + "' --trace '" + kTrace + "' --set workload.decode_steps=2 " + set +
                       " --out '" + (dir / mode).string() + "'");
    INFO(r.out);
    REQUIRE(r.exit_code == 0);
    res[mode] = test::read_csv(dir / mode / "summary.csv").at(0);
  }
  auto num = [&](const std::string& mode, const std::string& key) { return std::stod(res[mode].at(key)); };
  // gpu-hbm3 launches at 4 us, longer than most TinyLlama ops (the quantum is 1 us, so the driver
  // synchronises inside many kernels: the overlap must survive that). Eager launch pays launch + op per
  // kernel; graph launch hides most of the ops behind the launches, and cannot beat one launch per kernel.
  const double launches_ms = num("eager", "kernels_per_step") * 0.004;
  CHECK(num("eager", "ms_per_token") - num("graph", "ms_per_token") > 0.5 * num("none", "ms_per_token"));
  CHECK(num("graph", "ms_per_token") >= launches_ms);
  CHECK(num("graph", "ms_per_token") >= num("none", "ms_per_token"));
  CHECK(num("eager", "runtime_launch_share") > num("graph", "runtime_launch_share"));
  CHECK(num("none", "runtime_launch_share") == 0);
  for (const auto& [mode, set] : modes) {
    INFO(mode);
    const double sum = num(mode, "runtime_host_share") + num(mode, "runtime_launch_share") +
                       num(mode, "runtime_min_kernel_share") + num(mode, "memory_bound_share") +
                       num(mode, "compute_bound_share");
    CHECK(sum <= 1 + 1e-9);
    CHECK(sum >= 0.98);  // the rest: token ids over the host link
    CHECK(num(mode, "kernels_per_step") > 0);
  }
  // 0.2 ms of host work per step (the token ids' upload over the host link runs meanwhile), and every
  // kernel at least 3 us.
  CHECK(num("host", "runtime_host_share") * num("host", "ms_per_token") == Approx(0.2).epsilon(0.01));
  CHECK(num("host", "runtime_host_share") * num("host", "ms_per_token") <= 0.2);
  CHECK(num("host", "runtime_min_kernel_share") > 0);
  CHECK(num("host", "ms_per_token") >= num("host", "kernels_per_step") * 0.003 + 0.2);
  // 5670 cycles of gpu-hbm3's 1890 MHz PEs are the same 3 us.
  CHECK(res["cycles"].at("ms_per_token") == res["host"].at("ms_per_token"));
}
