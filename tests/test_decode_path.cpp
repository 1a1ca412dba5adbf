// The stages of the decode path before the driver (explorer/workload, explorer/plan, explorer/runtime), each
// checked as a plain function on a generated TinyLlama trace, with no SystemC design elaborated: steps
// selected as asked, memory laid out without overlap inside capacity, weights offloaded only when they do not
// fit, every op's shares adding up to the op, KV addresses inside their layer's region, and launches serial
// or overlapped. End-to-end runs of the whole path are in test_run.cpp and test_golden.cpp.
#include <catch2/catch.hpp>

#include <systemc>

#include "explorer/plan/plan.h"
#include "explorer/runtime/runtime.h"
#include "explorer/trace/generator.h"
#include "explorer/workload/workload.h"
#include "models/core/error.h"

using namespace llmx;
using Catch::Matchers::Contains;
using trace::OpKind;
using trace::Phase;

namespace {

const trace::Trace& tiny_trace() {
  static const trace::Trace t = [] {
    const auto models = trace::load_model_configs(trace::default_model_configs_path());
    trace::GenOptions o;
    o.weights = "Q4_0";
    o.batch = 2;
    o.prompt_len = 16;
    o.decode_steps = 4;
    return trace::generate_trace(trace::find_model(models, "TinyLlama-1.1B"), o);
  }();
  return t;
}

Workload tiny_workload(uint32_t decode_steps = 0, bool prefill = true) {
  WorkloadSpec spec;
  spec.decode_steps = decode_steps;
  spec.include_prefill = prefill;
  return build_workload(tiny_trace(), spec);
}

constexpr uint64_t kGiB = uint64_t{1} << 30;

}  // namespace

TEST_CASE("workload: the prefill when asked, then the first decode steps, with their host tokens",
          "[decode-path]") {
  const Workload all = tiny_workload();
  REQUIRE(all.steps.size() == 5);
  CHECK(all.steps[0].phase == Phase::prefill);
  CHECK(all.steps[0].tokens_in == 2 * 16);  // every sequence's prompt
  CHECK(all.steps[0].context_len == 16);
  for (uint32_t s = 1; s <= 4; ++s) {
    CHECK(all.steps[s].index == s);
    CHECK(all.steps[s].phase == Phase::decode);
    CHECK(all.steps[s].tokens_in == 2);
    CHECK(all.steps[s].tokens_out == 2);
    CHECK(all.steps[s].context_len == 16 + s);
  }
  size_t ops = 0;
  for (const auto& st : all.steps) ops += st.ops.size();
  CHECK(ops == tiny_trace().ops.size());

  const Workload two = tiny_workload(2, false);
  REQUIRE(two.steps.size() == 2);
  CHECK(two.steps[0].index == 1);
  CHECK(two.steps[1].index == 2);
  CHECK(two.steps[1].ops.size() == all.steps[2].ops.size());
}

TEST_CASE("plan: weights, per-layer KV regions and activations laid out without overlap", "[decode-path]") {
  const Workload w = tiny_workload();
  const Plan plan = make_plan(w, {{16 * kGiB, 4}}, PlanConfig{}, "test");
  REQUIRE(plan.devices.size() == 1);
  const MemoryLayout& m = plan.devices[0].memory;
  uint64_t weights_end = 0;
  for (const auto& wi : w.weights) weights_end = std::max(weights_end, wi.offset + wi.bytes);
  CHECK(m.offloaded_bytes == 0);
  REQUIRE(m.kv_base.size() == w.header.layers);
  CHECK(m.kv_base[0] >= weights_end);
  for (size_t l = 0; l + 1 < m.kv_base.size(); ++l) CHECK(m.kv_base[l] + m.kv_size[l] <= m.kv_base[l + 1]);
  CHECK(m.kv_base.back() + m.kv_size.back() <= m.act_base);
  CHECK(m.act_base + m.act_size <= m.end);
  // The largest region: the prefill's or the last decode step's K and V reads plus its append.
  const uint64_t kv_row = uint64_t{w.header.kv_heads} * w.header.head_dim * 2;  // F16
  const uint64_t last =
      2 * 2 * 20 * kv_row + 2 * 2 * kv_row;  // read K, V at context 20 (x batch 2), append 1
  const uint64_t prefill = 2 * 2 * 16 * kv_row + 2 * 2 * 16 * kv_row;
  CHECK(m.kv_size[0] == std::max(last, prefill));
  uint64_t shares = 0;
  for (uint32_t pe = 0; pe < 4; ++pe) shares += plan.devices[0].kv_share(pe);
  CHECK(shares == m.kv_bytes);
}

TEST_CASE("plan: KV reads and appends of a step stay inside their layer's region", "[decode-path]") {
  const Workload w = tiny_workload();
  const Plan plan = make_plan(w, {{16 * kGiB, 1}}, PlanConfig{}, "test");
  const MemoryLayout& m = plan.devices[0].memory;
  for (size_t s = 0; s < w.steps.size(); ++s) {
    REQUIRE(plan.steps[s].ops.size() == w.steps[s].ops.size());
    CHECK(plan.steps[s].host_in_bytes == w.steps[s].tokens_in * 4);
    for (const PlannedOp& p : plan.steps[s].ops) {
      const trace::Op& op = w.steps[s].ops[p.op];
      if (op.layer < 0 || (op.kv_read_bytes == 0 && op.kv_write_bytes == 0)) continue;
      const uint64_t lo = m.kv_base[op.layer], hi = lo + m.kv_size[op.layer];
      CHECK(p.kv_read_address >= lo);
      CHECK(p.kv_read_address + op.kv_read_bytes <= hi);
      CHECK(p.kv_write_address + op.kv_write_bytes <= hi);
    }
  }
}

TEST_CASE("plan: weights that do not fit stay in host memory, or the plan is refused", "[decode-path]") {
  const Workload w = tiny_workload();
  const Plan roomy = make_plan(w, {{16 * kGiB, 2}}, PlanConfig{}, "test");
  const uint64_t resident = roomy.devices[0].memory.end - roomy.devices[0].memory.kv_base[0];
  const uint64_t capacity = resident + 100 * (uint64_t{1} << 20);  // room for about 100 MiB of weights
  const Plan tight = make_plan(w, {{capacity, 2}}, PlanConfig{}, "test");
  const MemoryLayout& m = tight.devices[0].memory;
  CHECK(m.offloaded_bytes > 0);
  CHECK(m.end <= capacity);
  uint64_t offloaded = 0;
  for (size_t i = 0; i < w.weights.size(); ++i) {
    if (m.offloaded[i])
      offloaded += w.weights[i].bytes;
    else
      CHECK(w.weights[i].offset + w.weights[i].bytes <= m.kv_base[0]);
  }
  CHECK(offloaded == m.offloaded_bytes);
  for (size_t s = 0; s < w.steps.size(); ++s)
    for (const PlannedOp& p : tight.steps[s].ops) {
      const trace::Op& op = w.steps[s].ops[p.op];
      CHECK(p.weight_offloaded == (op.weight_id >= 0 && m.offloaded[op.weight_id]));
    }
  PlanConfig no_offload;
  no_offload.allow_offload = false;
  CHECK_THROWS_WITH(make_plan(w, {{capacity, 2}}, no_offload, "sys.yaml: modules"),
                    Contains("sys.yaml: modules: the model needs") && Contains("driver.offload is false"));
  CHECK_THROWS_WITH(make_plan(w, {{resident / 2, 2}}, PlanConfig{}, "sys.yaml: modules"),
                    Contains("the KV cache and activations need"));
}

TEST_CASE("plan: the PEs' shares of every op add up to the op", "[decode-path]") {
  const Workload w = tiny_workload(1);
  PlanConfig config;
  config.kv_cache = KvCachePlacement::where_fits;
  for (uint32_t pes : {1u, 3u, 8u}) {
    const Plan plan = make_plan(w, {{16 * kGiB, pes}}, config, "test");
    for (size_t s = 0; s < w.steps.size(); ++s) {
      for (const PlannedOp& p : plan.steps[s].ops) {
        const trace::Op& op = w.steps[s].ops[p.op];
        const std::vector<WorkShare> shares = split_op(plan, 0, op, p);
        REQUIRE(shares.size() == pes);
        uint64_t weight = 0, kv_read = 0, kv_write = 0, act_out = 0;
        double flops = 0;
        uint64_t next_weight = p.weight_address;
        for (const WorkShare& sh : shares) {
          CHECK(sh.kv_on_chip_allowed);
          flops += sh.matmul_flops + sh.vector_flops;
          for (const MemoryStream& m : sh.loads) {
            if (m.kind == StreamKind::weight) {
              CHECK(m.address == next_weight);  // PEs read consecutive slices of the matrix
              next_weight += m.bytes;
              weight += m.bytes;
            }
            if (m.kind == StreamKind::kv) kv_read += m.bytes;
            // A matmul's input vector goes whole to every PE.
            if (m.kind == StreamKind::activation && trace::is_matmul(op.kind))
              CHECK(m.bytes == op.act_in_bytes);
          }
          for (const MemoryStream& m : sh.stores) (m.kind == StreamKind::kv ? kv_write : act_out) += m.bytes;
          if (trace::is_matmul(op.kind) && op.weight_bytes > 0) {
            CHECK(sh.weight_coding == WeightCoding::quantized);
            CHECK(sh.rows == static_cast<double>(op.m));
          }
        }
        CHECK(weight == op.weight_bytes);
        CHECK(kv_read == op.kv_read_bytes);
        CHECK(kv_write == op.kv_write_bytes);
        CHECK(act_out == op.act_out_bytes);
        CHECK(flops == Approx(op.flops));
      }
    }
  }
}

TEST_CASE("plan: weight codings follow the dtypes", "[decode-path]") {
  CHECK(weight_code("F16").coding == WeightCoding::dense);
  CHECK(weight_code("F16").bits == 16);
  CHECK(weight_code("Q4_0").coding == WeightCoding::quantized);
  CHECK(weight_code("Q4_0").bits == 5);  // 18 bytes per 32 weights: 4.5 bits, rounded
  CHECK(weight_code("BCQ3_G128").coding == WeightCoding::binary_coded);
  CHECK(weight_code("BCQ3_G128").bits == 3);
}

TEST_CASE("runtime: one kernel per op, launched serially or overlapping the previous one", "[decode-path]") {
  const Workload w = tiny_workload(1);
  const Plan plan = make_plan(w, {{16 * kGiB, 1}}, PlanConfig{}, "test");
  RuntimeConfig config;
  config.dispatch_latency_ns = 2000;
  const Schedule serial = make_schedule(plan, w, config);
  REQUIRE(serial.steps.size() == plan.steps.size());
  for (size_t s = 0; s < plan.steps.size(); ++s) {
    REQUIRE(serial.steps[s].size() == plan.steps[s].ops.size());
    for (uint32_t k = 0; k < serial.steps[s].size(); ++k) {
      CHECK(serial.steps[s][k].first == k);
      CHECK(serial.steps[s][k].count == 1);
      CHECK(serial.steps[s][k].launch == 2'000'000);
    }
  }
  // Serial: every launch adds its latency after the device is ready.
  Launcher eager;
  eager.begin_step(0);
  const Kernel k = serial.steps[0][0];
  CHECK(eager.start(k, 0) == 2'000'000);
  CHECK(eager.start(k, 10'000'000) == 12'000'000);
  CHECK(eager.dispatch_time() == 4'000'000);
  // Overlapped: a launch runs while the previous kernel does, and shows only after a short kernel.
  Kernel g = k;
  g.overlapped = true;
  Launcher graph;
  graph.begin_step(0);
  CHECK(graph.start(g, 0) == 2'000'000);           // the step's first launch
  CHECK(graph.start(g, 9'000'000) == 9'000'000);   // a long kernel hid the next launch
  CHECK(graph.start(g, 9'500'000) == 11'000'000);  // a short one did not
  CHECK(graph.dispatch_time() == 2'000'000 + 1'500'000);
}

TEST_CASE("runtime: picoseconds round as SystemC's time does", "[decode-path]") {
  for (double ns : {0.0, 0.3, 1.0, 2.0004, 2.0005, 1234.5678, 4000.0, 1e6 / 3})
    CHECK(picoseconds(ns) == sc_core::sc_time(ns, sc_core::SC_NS).value());
}
