// Systems of several devices: the parallelism plan (tensor and pipeline parallel, collectives as ring
// rounds), topologies and their routes checked as plain functions; then end to end: tensor parallel speeds a
// bandwidth-bound decode up by nearly the device count with unlimited links and by less over PCIe, by the
// links' time; bytes and energy are conserved per device; the shipped device presets hold Llama-2-70B at F16
// with nothing offloaded; a one-device system listed under `devices:` gives the one-device results.
#include <catch2/catch.hpp>

#include <map>
#include <systemc>

#include "explorer/config/loader.h"
#include "explorer/elab/elaborator.h"
#include "explorer/plan/collectives.h"
#include "explorer/plan/parallel.h"
#include "explorer/plan/topology.h"
#include "explorer/trace/generator.h"
#include "explorer/workload/workload.h"
#include "models/core/error.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using trace::OpKind;

namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

trace::Trace generated(const std::string& model, const std::string& weights, uint32_t batch, uint32_t steps,
                       uint32_t prompt = 16) {
  const auto models = trace::load_model_configs(trace::default_model_configs_path());
  trace::GenOptions o;
  o.weights = weights;
  o.batch = batch;
  o.prompt_len = prompt;
  o.decode_steps = steps;
  return trace::generate_trace(trace::find_model(models, model), o);
}

Workload workload_of(const trace::Trace& t, uint32_t decode_steps = 0) {
  WorkloadSpec spec;
  spec.decode_steps = decode_steps;
  return build_workload(t, spec);
}

Plan plan_of(const Workload& w, ParallelConfig par, uint64_t memory = 16 * kGiB, uint32_t pes = 2) {
  PlanConfig config;
  config.parallel = par;
  return make_plan(w, std::vector<DeviceResources>(par.devices(), {memory, pes}), config, "test");
}

double num(const std::map<std::string, std::string>& row, const std::string& key) {
  auto it = row.find(key);
  REQUIRE(it != row.end());
  return std::stod(it->second);
}

std::string configs() {
  return test::source_dir() + "/configs/";
}

// A device of 8 PEs on 8 ideal memory channels (136.5 GB/s, 16 GiB): decode lands on the bandwidth roofline.
fs::path ideal_device(const fs::path& dir) {
  return test::write_text(dir / "ideal-device.yaml",
                          "modules:\n"
                          "  pe: {type: pe, count: 8, include: " +
                              configs() +
                              "compute/pe-fp16-1ghz.yaml}\n"
                              "  buf: {type: sram, count: 8, include: " +
                              configs() +
                              "buffers/sram-512kib.yaml}\n"
                              "  noc: {type: crossbar, include: " +
                              configs() +
                              "interconnect/crossbar-1ghz.yaml}\n"
                              "  mem: {count: 8, include: " +
                              configs() +
                              "memory/ideal-lpddr5x-8533-x16.yaml}\n"
                              "  host: {type: host_link, include: " +
                              configs() +
                              "host/pcie-gen5-x16.yaml}\n"
                              "connections:\n"
                              "  - {from: driver.pe, to: pe.cmd}\n"
                              "  - {from: driver.host, to: host.target}\n"
                              "  - {from: pe.buffer, to: buf.target}\n"
                              "  - {from: pe.mem, to: noc.in}\n"
                              "  - {from: noc.out, to: mem.target}\n");
}

// A system of `devices` ideal devices; `links` is the body of its `links:` map, `parallelism` of its own.
fs::path ideal_system(const fs::path& dir, const std::string& name, uint32_t devices,
                      const std::string& links, const std::string& parallelism, const std::string& trace,
                      uint32_t decode_steps = 1) {
  std::string text = "system: {name: " + name + "}\ndevices:\n  count: " + std::to_string(devices) +
                     "\n  include: " + ideal_device(dir).string() + "\n";
  if (!links.empty()) text += "links:\n" + links;
  if (!parallelism.empty()) text += "parallelism: {" + parallelism + "}\n";
  text += "workload:\n  trace: " + trace + "\n  decode_steps: " + std::to_string(decode_steps) + "\n";
  return test::write_text(dir / (name + ".yaml"), text);
}

const std::string kUnlimited =
    "  topology: ring\n  bandwidth_gbps: 1.0e6\n  latency_ns: 0\n  energy_pj_per_bit: 0\n  static_power_mw: "
    "0\n";
std::string preset_links(const std::string& topology, const std::string& preset) {
  return "  topology: " + topology + "\n  include: " + configs() + "links/" + preset + "\n";
}

std::map<std::string, std::string> run(const fs::path& config, const fs::path& out) {
  const auto r = test::explorer("run '" + config.string() + "' --out '" + out.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const auto rows = test::read_csv(out / "summary.csv");
  REQUIRE(rows.size() == 1);
  return rows[0];
}

}  // namespace

TEST_CASE("multidev: tensor parallel all-reduces twice per layer, 2(N-1)/N of the activation per device",
          "[multidev]") {
  const Workload w = workload_of(generated("TinyLlama-1.1B", "F16", 2, 2), 1);
  for (uint32_t n : {2u, 4u}) {
    const Plan plan = plan_of(w, {n, 1, 1});
    REQUIRE(plan.devices.size() == n);
    for (size_t s = 0; s < w.steps.size(); ++s) {
      const StepPlan& sp = plan.steps[s];
      std::map<int32_t, int> per_layer;
      for (const PlannedCollective& c : sp.collectives) {
        const trace::Op& op = w.steps[s].ops[sp.ops[c.after_op].op];
        REQUIRE(c.devices.size() == n);
        if (c.kind != CollectiveKind::all_reduce) {
          CHECK(op.kind == OpKind::lm_head);
          continue;
        }
        if (c.layer >= 0) {
          ++per_layer[c.layer];
          CHECK((op.kind == OpKind::matmul_o || op.kind == OpKind::matmul_down));
        }
        CHECK(c.bytes == op.act_out_bytes);  // the whole activation: each device holds partial sums of it
        const std::vector<Round> rounds = collective_rounds(c);
        CHECK(rounds.size() == 2 * (n - 1));
        REQUIRE(c.bytes % (2 * n) == 0);
        for (uint32_t d = 0; d < n; ++d) CHECK(bytes_sent(rounds, d) == 2 * (n - 1) * c.bytes / n);
      }
      CHECK(per_layer.size() == w.header.layers);
      for (const auto& [layer, count] : per_layer) CHECK(count == 2);
    }
  }
}

TEST_CASE("multidev: tensor-parallel parts of every op add up, weights and KV split, norms whole",
          "[multidev]") {
  const Workload w = workload_of(generated("TinyLlama-1.1B", "Q8_0", 2, 2), 1);
  const uint32_t n = 4;
  const Plan plan = plan_of(w, {n, 1, 1});
  const Plan one = plan_of(w, {1, 1, 1});
  for (size_t s = 0; s < w.steps.size(); ++s) {
    for (const PlannedOp& p : plan.steps[s].ops) {
      const trace::Op& op = w.steps[s].ops[p.op];
      uint64_t weight = 0, kv_read = 0, kv_write = 0;
      double flops = 0;
      for (uint32_t d = 0; d < n; ++d) {
        const trace::Op part = device_op(plan.parallel, plan.batch, op, p, d);
        weight += part.weight_bytes;
        kv_read += part.kv_read_bytes;
        kv_write += part.kv_write_bytes;
        flops += part.flops;
      }
      const bool whole = p.split == TensorSplit::replicated;
      if (op.kind == OpKind::norm || op.kind == OpKind::residual) CHECK(whole);
      if (trace::is_matmul(op.kind) || op.kind == OpKind::attention_score) CHECK(!whole);
      const uint64_t copies = whole ? n : 1;
      CHECK(weight == copies * op.weight_bytes);
      CHECK(kv_read == copies * op.kv_read_bytes);
      CHECK(kv_write == copies * op.kv_write_bytes);
      CHECK(flops == Approx(copies * op.flops));
    }
  }
  // Each device holds about a quarter of the model (norms whole) and a quarter of the KV cache.
  const MemoryLayout& all = one.devices[0].memory;
  for (const DevicePlan& d : plan.devices) {
    CHECK(d.memory.kv_bytes * n == all.kv_bytes);
    CHECK(d.memory.kv_base[0] * n >= all.kv_base[0] - n * kGiB / 1024);
    CHECK(d.memory.kv_base[0] * n <= all.kv_base[0] * 101 / 100);
  }
  PlanConfig bad;
  bad.parallel = {3, 1, 1};
  CHECK_THROWS_WITH(make_plan(w, std::vector<DeviceResources>(3, {16 * kGiB, 2}), bad, "sys.yaml: devices"),
                    Contains("sys.yaml: devices: parallelism.tensor 3 does not divide"));
  bad.parallel = {2, 1, 1};
  CHECK_THROWS_WITH(make_plan(w, std::vector<DeviceResources>(4, {16 * kGiB, 2}), bad, "sys.yaml: devices"),
                    Contains("4 device(s) but parallelism asks for 2 x 1"));
}

TEST_CASE("multidev: pipeline stages hold their layers, send activations on, micro-batches add up",
          "[multidev]") {
  const Workload w = workload_of(generated("TinyLlama-1.1B", "F16", 4, 2), 1);
  const uint32_t stages = 2, parts = 2;
  const Plan plan = plan_of(w, {1, stages, parts});
  const Plan one = plan_of(w, {1, 1, 1});
  const StepPlan& sp = plan.steps[0];
  const WorkloadStep& step = w.steps[0];
  REQUIRE(sp.ops.size() == step.ops.size() * parts);
  // Every op once per micro-batch on the stage of its layer, the micro-batches' parts adding up to the op.
  std::map<uint32_t, uint64_t> kv_by_op;
  for (const PlannedOp& p : sp.ops) {
    const trace::Op& op = step.ops[p.op];
    if (op.layer >= 0) CHECK(p.stage == (static_cast<uint32_t>(op.layer) < w.header.layers / 2 ? 0u : 1u));
    if (op.kind == OpKind::embedding) CHECK(p.stage == 0);
    if (op.kind == OpKind::lm_head) CHECK(p.stage == 1);
    kv_by_op[p.op] += device_op(plan.parallel, plan.batch, op, p, 0).kv_read_bytes;
  }
  for (const auto& [i, kv] : kv_by_op) CHECK(kv == step.ops[i].kv_read_bytes);
  // One send per micro-batch from stage 0 to stage 1, waited for by stage 1's first op of that micro-batch.
  size_t sends = 0;
  for (size_t c = 0; c < sp.collectives.size(); ++c) {
    const PlannedCollective& send = sp.collectives[c];
    REQUIRE(send.kind == CollectiveKind::send);
    CHECK(send.devices == std::vector<uint32_t>{0});
    CHECK(send.peers == std::vector<uint32_t>{1});
    CHECK(send.bytes == step.ops[sp.ops[send.after_op].op].act_out_bytes / parts);
    size_t waiting = 0;
    for (const PlannedOp& p : sp.ops) waiting += p.wait_for == static_cast<int32_t>(c);
    CHECK(waiting == 1);
    ++sends;
  }
  CHECK(sends == parts);
  // The stages split the weights: each holds about half, together all of them.
  const uint64_t whole = one.devices[0].memory.kv_base[0];
  const uint64_t held = plan.devices[0].memory.kv_base[0] + plan.devices[1].memory.kv_base[0];
  CHECK(held <= whole + 2 * 4096);
  CHECK(held >= whole * 99 / 100);
  CHECK(plan.devices[0].memory.kv_bytes + plan.devices[1].memory.kv_bytes == one.devices[0].memory.kv_bytes);
}

TEST_CASE("multidev: ring and switch routes", "[multidev]") {
  const Topology ring(Topology::Kind::ring, 4);
  CHECK(ring.links() == 4);
  CHECK(ring.joined(3) == std::vector<uint32_t>{3, 0});
  auto r = ring.route(0, 1);
  REQUIRE(r.size() == 1);
  CHECK((r[0].link == 0 && r[0].from == 0 && r[0].to == 1));
  r = ring.route(0, 3);  // the short way: back over link 3
  REQUIRE(r.size() == 1);
  CHECK((r[0].link == 3 && r[0].from == 0 && r[0].to == 3));
  r = ring.route(1, 3);
  CHECK(r.size() == 2);
  const Topology pair(Topology::Kind::ring, 2);
  CHECK(pair.links() == 1);
  CHECK(pair.route(1, 0).front().link == 0);
  const Topology sw(Topology::Kind::switched, 8);
  CHECK(sw.links() == 1);
  CHECK(sw.route(2, 7).size() == 1);
  CHECK(sw.joined(0).size() == 8);
}

TEST_CASE(
    "multidev: tensor parallel speeds bandwidth-bound decode up by nearly N, less over PCIe by the link time",
    "[multidev]") {
  const auto dir = test::scratch_dir("multidev-speedup");
  const std::string trace = test::source_dir() + "/traces/captured/llama-2-7b-f16.lxt.gz";
  const auto single = run(ideal_system(dir, "one", 1, "", "", trace), dir / "one");
  const uint32_t n = 4;
  const auto fast = run(ideal_system(dir, "fast", n, kUnlimited, "tensor: 4", trace), dir / "fast");
  const auto pcie = run(
      ideal_system(dir, "pcie", n, preset_links("ring", "pcie5-p2p.yaml"), "tensor: 4", trace), dir / "pcie");
  const double t1 = num(single, "decode_time_s"), tf = num(fast, "decode_time_s"),
               tp = num(pcie, "decode_time_s");
  INFO("1 device " << t1 << " s, 4 with unlimited links " << tf << " s, over PCIe " << tp << " s");
  CHECK(num(single, "dram_bandwidth_share") > 0.9);  // bandwidth-bound
  CHECK(t1 / tf > 0.9 * n);
  CHECK(t1 / tf <= n * 1.0001);
  CHECK(num(fast, "collective_time_s") < 1e-3 * tf);
  CHECK(t1 / tp < t1 / tf);
  // PCIe adds what its collectives take (latency per ring round): the difference is the link time.
  const double link_time = num(pcie, "collective_time_s") - num(fast, "collective_time_s");
  CHECK(link_time > 0);
  CHECK(tp - tf == Approx(link_time).epsilon(0.02));
  CHECK(num(pcie, "collectives_per_step") == 2 * 32 + 2);
}

TEST_CASE(
    "multidev: pipeline stages take turns, and micro-batches overlap them at the cost of re-read weights",
    "[multidev]") {
  const auto dir = test::scratch_dir("multidev-pipeline");
  const fs::path trace = dir / "tiny-b4.lxt.gz";
  const auto gen =
      test::explorer("trace gen TinyLlama-1.1B --weights F16 --batch 4 --prompt 16 --steps 1 --out '" +
                     trace.string() + "'");
  REQUIRE(gen.exit_code == 0);
  const auto single = run(ideal_system(dir, "one", 1, "", "", trace.string()), dir / "one");
  const auto pp = run(ideal_system(dir, "pp", 2, kUnlimited, "pipeline: 2", trace.string()), dir / "pp");
  const auto mb = run(ideal_system(dir, "mb", 2, kUnlimited, "pipeline: 2, micro_batches: 2", trace.string()),
                      dir / "mb");
  const double t1 = num(single, "decode_time_s"), tp = num(pp, "decode_time_s"),
               tm = num(mb, "decode_time_s");
  INFO("1 device " << t1 << " s, 2 stages " << tp << " s, 2 stages x 2 micro-batches " << tm << " s");
  // One micro-batch: the stages run one after the other, as one device would (bandwidth-bound).
  CHECK(tp == Approx(t1).epsilon(0.03));
  // Two micro-batches each stream their stage's weights: (M + P - 1) slots of half a device's step, the
  // middle one with both stages busy at once (not M x P slots one after another).
  CHECK(tm == Approx(1.5 * t1).epsilon(0.05));
  CHECK(num(mb, "dram_read_bytes") > 1.9 * num(single, "dram_read_bytes"));
  CHECK(num(mb, "tokens") == num(single, "tokens"));
  // Overlapping stages: each layer's and op kind's share of the time stays a share (they sum to at most 1).
  for (const char* file : {"layers.csv", "op_kinds.csv"}) {
    double shares = 0;
    for (const auto& row : test::read_csv(dir / "mb" / file)) shares += num(row, "time_share");
    INFO(file);
    CHECK(shares <= 1.0 + 1e-9);
    CHECK(shares > 0.9);
  }
}

TEST_CASE("multidev: bytes and energy are conserved per device, links included", "[multidev]") {
  const auto dir = test::scratch_dir("multidev-conservation");
  const std::string trace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";
  for (const std::string& par :
       {std::string("tensor: 2, pipeline: 2, micro_batches: 1"), std::string("tensor: 4")}) {
    const fs::path out = dir / (par.size() > 10 ? "grid" : "tp");
    const auto s =
        run(ideal_system(dir, "sys", 4,
                         preset_links("switch", "nvlink4.yaml") +
                             "  switch: {latency_ns: 100, energy_pj_per_bit: 1, static_power_mw: 0}\n",
                         par, trace, 2),
            out);
    double demanded = 0, served = 0;
    for (const auto& d : test::read_csv(out / "devices.csv")) {
      CHECK(num(d, "demanded_read_bytes") == num(d, "dram_read_bytes"));
      CHECK(num(d, "demanded_write_bytes") == num(d, "dram_write_bytes"));
      CHECK(num(d, "memory_used_bytes") <= num(d, "dram_capacity_bytes"));
      demanded += num(d, "demanded_read_bytes") + num(d, "demanded_write_bytes");
    }
    CHECK(demanded == num(s, "dram_read_bytes") + num(s, "dram_write_bytes"));
    double energy = 0;
    for (const auto& c : test::read_csv(out / "components.csv")) energy += num(c, "energy_total_j");
    CHECK(num(s, "energy_j") == Approx(energy).epsilon(1e-9));
    double link_bytes = 0, collective_link_bytes = 0;
    for (const auto& l : test::read_csv(out / "links.csv")) {
      link_bytes += num(l, "bytes");
      CHECK(num(l, "utilization") <= 1.0);
      CHECK(num(l, "achieved_gbps") <= num(l, "peak_gbps"));
    }
    for (const auto& c : test::read_csv(out / "collectives.csv"))
      collective_link_bytes += num(c, "link_bytes");
    CHECK(link_bytes == 2 * collective_link_bytes);  // every switched byte crosses two ports
    served += link_bytes;
    CHECK(served > 0);
  }
}

TEST_CASE("multidev: one device under devices: gives the one-device results", "[multidev]") {
  const auto dir = test::scratch_dir("multidev-one");
  const std::string trace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";
  const auto listed = run(ideal_system(dir, "listed", 1, "", "", trace, 2), dir / "listed");
  std::string flat = test::read_text(ideal_device(dir));
  flat += "system: {name: listed}\nworkload:\n  trace: " + trace + "\n  decode_steps: 2\n";
  const auto top = run(test::write_text(dir / "flat.yaml", flat), dir / "flat");
  for (const std::string key : {"tokens_per_s", "energy_j", "dram_read_bytes", "device_memory_used_bytes"})
    CHECK(listed.at(key) == top.at(key));
  CHECK(test::read_text(dir / "listed/components.csv") == test::read_text(dir / "flat/components.csv"));
  CHECK(test::read_text(dir / "listed/tokens.csv") == test::read_text(dir / "flat/tokens.csv"));
  CHECK(num(listed, "devices") == 1);
  CHECK(!top.count("devices"));
}

TEST_CASE("multidev: several devices need links, and a link preset's keys are checked",
          "[multidev][errors]") {
  const auto dir = test::scratch_dir("multidev-errors");
  const std::string trace = test::source_dir() + "/traces/captured/tinyllama-1.1b-q4_0.lxt.gz";
  auto r = test::explorer("run '" + ideal_system(dir, "nolinks", 2, "", "tensor: 2", trace).string() +
                          "' --out '" + (dir / "o1").string() + "'");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("devices.count: 2 devices need `links:`"));
  CHECK(!fs::exists(dir / "o1"));
  r = test::explorer(
      "run '" +
      ideal_system(dir, "badkey", 2, "  topology: ring\n  bandwidth_gbs: 10\n", "tensor: 2", trace).string() +
      "' --out '" + (dir / "o2").string() + "'");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("links.bandwidth_gbps"));
  r = test::explorer("run '" + ideal_system(dir, "mismatch", 2, kUnlimited, "tensor: 4", trace).string() +
                     "' --out '" + (dir / "o3").string() + "'");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Contains("2 device(s) but parallelism asks for 4 x 1"));
  CHECK(test::count_lines(r.out) == 1);
}

// The shipped system elaborated (no simulation) and the generated Llama-2-70B F16 trace planned on its
// devices.
void check_fits(const Workload& w, const std::string& system, uint32_t devices,
                const std::vector<std::string>& overrides = {}) {
  auto tree = load_config(configs() + "systems/" + system, overrides);
  auto resolved = ConfigNode::make_map({});
  Params root(tree, "", resolved);
  Params wl = root.required_child("workload", "");
  Params sim = root.optional_child("simulation", "");
  PlanConfig config;
  config.allow_offload = false;  // refused unless everything fits
  config.parallel = read_parallelism(root);
  static std::unique_ptr<System> sys;
  sys = elaborate(root, DriverConfig::read(wl, sim), w);
  const std::vector<DeviceResources> resources = sys->device_resources();
  REQUIRE(resources.size() == devices);
  const Plan plan = make_plan(w, resources, config, system);
  uint64_t kv = 0;
  for (size_t d = 0; d < devices; ++d) {
    const MemoryLayout& m = plan.devices[d].memory;
    CHECK(m.offloaded_bytes == 0);
    CHECK(m.end <= resources[d].memory_bytes);
    kv += m.kv_bytes;
  }
  CHECK(kv > 0);
}

void check_70b_fits(const std::string& system, uint32_t devices) {
  static const Workload w = workload_of(generated("Llama-2-70B", "F16", 1, 1), 1);
  check_fits(w, system, devices);
}

// Mixtral-8x7B's weights as a dense stand-in of the same bytes: its public config
// (mistralai/Mixtral-8x7B-v0.1 config.json: hidden 4096, 32 layers, 32 heads, 8 KV heads, vocabulary 32000, 8
// experts of FFN 14336) with the eight experts' FFNs side by side (FFN 8 x 14336); the router (4096 x 8 per
// layer) is left out. What a device must hold is every expert; what a step reads is the workload's (MoE:
// explorer/trace).
const Workload& mixtral_weights() {
  static const Workload w = [] {
    trace::ModelConfig c;
    c.name = "Mixtral-8x7B-dense-stand-in";
    c.hidden = 4096, c.intermediate = 8 * 14336, c.layers = 32, c.heads = 32, c.kv_heads = 8,
    c.head_dim = 128;
    c.vocab = 32000, c.max_position = 32768;
    trace::GenOptions o;
    o.prompt_len = 16, o.decode_steps = 1;
    return workload_of(trace::generate_trace(c, o), 1);
  }();
  return w;
}

TEST_CASE("multidev: Llama-2-70B F16 fits 4 LPDDR5X devices (tensor parallel), nothing offloaded",
          "[multidev]") {
  check_70b_fits("lpddr5x-4x-tp.yaml", 4);
}
TEST_CASE("multidev: Llama-2-70B F16 fits 8 LPDDR5X devices (tensor parallel), nothing offloaded",
          "[multidev]") {
  check_70b_fits("lpddr5x-8x-tp.yaml", 8);
}
TEST_CASE("multidev: Llama-2-70B F16 fits 4 LPDDR5X devices (pipeline parallel), nothing offloaded",
          "[multidev]") {
  check_70b_fits("lpddr5x-4x-pp.yaml", 4);
}
TEST_CASE("multidev: Llama-2-70B F16 fits 2 HBM3 devices (tensor parallel), nothing offloaded",
          "[multidev]") {
  check_70b_fits("hbm3-2x-tp.yaml", 2);
}
TEST_CASE("multidev: Llama-2-70B F16 fits 2 HBM3 devices (pipeline parallel), nothing offloaded",
          "[multidev]") {
  check_70b_fits("hbm3-2x-pp.yaml", 2);
}
TEST_CASE("multidev: Mixtral-8x7B F16's experts fit 2 LPDDR5X devices, nothing offloaded", "[multidev]") {
  uint64_t bytes = 0;
  for (const auto& wi : mixtral_weights().weights) bytes += wi.bytes;
  CHECK(bytes == Approx(93.4e9).epsilon(0.01));  // 46.7 G parameters (Mistral AI, "Mixtral of experts", 2023)
  check_fits(mixtral_weights(), "lpddr5x-4x-tp.yaml", 2, {"devices.count=2", "parallelism.tensor=2"});
}
TEST_CASE("multidev: Mixtral-8x7B F16's experts fit 2 HBM3 devices, nothing offloaded", "[multidev]") {
  check_fits(mixtral_weights(), "hbm3-2x-tp.yaml", 2);
}
