// Each model on its own, driven by a test initiator: peaks respected, bytes conserved, energy adds up.
#include <catch2/catch.hpp>

#include "models/compute/processing_element.h"
#include "models/core/work_item.h"
#include "models/interconnect/crossbar.h"
#include "tests/testbench.h"

using namespace llmx;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_US;

namespace {

const char* kIdealMemory =
    "type: ideal_memory\ncapacity_gib: 1\nbandwidth_gbps: 10\nlatency_ns: 40\n"
    "read_energy_pj_per_bit: 4\nwrite_energy_pj_per_bit: 5\nbackground_power_mw: 100\n";

// A PE with 64 FP16 MACs/cycle (1 pJ), 128 INT8 MACs/cycle (0.25 pJ), a 32 weights/cycle dequantizer
// (0.5 pJ/weight), a LUT unit of 16 lookups/cycle (0.3 pJ) and a 16-lane vector unit (0.5 pJ) at 1 GHz.
const char* kPe =
    "type: pe\nclock_mhz: 1000\ncompute_precision: fp16\n"
    "mac_units: {fp16: {macs_per_cycle: 64, energy_pj: 1}, int8: {macs_per_cycle: 128, energy_pj: 0.25}}\n"
    "dequant_weights_per_cycle: 32\ndequant_energy_pj_per_weight: 0.5\n"
    "lut_gemm: {lookups_per_cycle: 16, energy_pj_per_lookup: 0.3, mu: 8}\n"
    "vector_ops_per_cycle: 16\nvector_op_energy_pj: 0.5\nstatic_power_mw: 0\n";

// Runs one work item on a PE (with an ideal memory behind it) and returns its duration.
sc_time run_work(const std::string& pe_yaml, WorkItem& work, ComponentStats* pe_stats = nullptr) {
  auto pe = test::make_component("pe", pe_yaml);
  auto mem = test::make_component("mem", kIdealMemory);
  auto* p = dynamic_cast<ProcessingElement*>(pe.get());
  p->mem.bind(*test::port(*mem, "target").target);
  test::TestInitiator init("init");
  init.socket.bind(p->cmd);
  sc_time t;
  init.body = [&](test::TestInitiator& i) { t = i.access(tlm::TLM_WRITE_COMMAND, 0, 0, sc_core::SC_ZERO_TIME, &work); };
  sc_core::sc_start();
  if (pe_stats) *pe_stats = pe->stats(t);
  return t;
}

double energy_sum(const ComponentStats& s) {
  double sum = 0;
  for (double j : s.energy.joules) sum += j;
  return sum;
}

}  // namespace

TEST_CASE("ideal memory: streams at peak plus latency, counts bytes and energy", "[modules]") {
  auto mem = test::make_component("mem", kIdealMemory);
  test::TestInitiator init("init");
  init.socket.bind(*test::port(*mem, "target").target);
  sc_time done;
  init.body = [&](test::TestInitiator& i) {
    sc_time t = sc_core::SC_ZERO_TIME;
    for (int k = 0; k < 100; ++k) done = i.access(tlm::TLM_READ_COMMAND, k * 4096, 4096, t);
    i.access(tlm::TLM_WRITE_COMMAND, 0, 1000, done);
    // Out of range is an address error, not a silent wrap.
    i.access(tlm::TLM_READ_COMMAND, (uint64_t(1) << 30) - 10, 64, t);
    CHECK(i.last_status == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  };
  sc_core::sc_start();
  // 409600 bytes at 10 GB/s = 40.96 us, plus 40 ns latency.
  CHECK(done.to_seconds() == Approx(409600 / 10e9 + 40e-9).epsilon(1e-6));
  const auto s = mem->stats(sc_time(100, SC_US));
  CHECK(s.bytes_read == 409600);
  CHECK(s.bytes_written == 1000);
  CHECK(s.energy[EnergyKind::read_array] == Approx(409600 * 8 * 4e-12));
  CHECK(s.energy[EnergyKind::write_array] == Approx(1000 * 8 * 5e-12));
  CHECK(s.energy[EnergyKind::background] == Approx(0.1 * 100e-6));
  CHECK(s.energy.total() == Approx(energy_sum(s)));
}

TEST_CASE("sram: ports, bank bandwidth and per-access energy", "[modules]") {
  auto sram = test::make_component(
      "buf",
      "type: sram\ncapacity_kib: 64\nbanks: 4\nbank_width_bits: 64\nclock_mhz: 500\nports: 1\n"
      "read_energy_pj_per_access: 10\nwrite_energy_pj_per_access: 12\nleakage_power_mw: 1\nlatency_ns: 0\n");
  test::TestInitiator init("init");
  init.socket.bind(*test::port(*sram, "target").target);
  sc_time r, w;
  init.body = [&](test::TestInitiator& i) {
    r = i.access(tlm::TLM_READ_COMMAND, 0, 16000, sc_core::SC_ZERO_TIME);
    w = i.access(tlm::TLM_WRITE_COMMAND, 0, 16000, sc_core::SC_ZERO_TIME);  // shares the single port
  };
  sc_core::sc_start();
  const double peak = 4 * 8 * 500e6;  // 16 GB/s
  CHECK(r.to_seconds() == Approx(16000 / peak));
  CHECK(w.to_seconds() == Approx(32000 / peak));
  const auto s = sram->stats(sc_time(10, SC_US));
  CHECK(s.energy[EnergyKind::read_array] == Approx(2000 * 10e-12));   // 16000 B / 8 B per access
  CHECK(s.energy[EnergyKind::write_array] == Approx(2000 * 12e-12));
  CHECK(s.energy[EnergyKind::static_power] == Approx(1e-3 * 10e-6));
  CHECK(dynamic_cast<MemoryDevice&>(*sram).capacity_bytes() == 65536);
}

TEST_CASE("host link: full duplex, latency and energy per bit", "[modules]") {
  auto link = test::make_component(
      "host", "type: host_link\nbandwidth_gbps: 32\nlatency_ns: 500\nenergy_pj_per_bit: 5\nstatic_power_mw: 0\n");
  test::TestInitiator init("init");
  init.socket.bind(*test::port(*link, "target").target);
  sc_time in, out;
  init.body = [&](test::TestInitiator& i) {
    in = i.access(tlm::TLM_WRITE_COMMAND, 0, 32000, sc_core::SC_ZERO_TIME);
    out = i.access(tlm::TLM_READ_COMMAND, 0, 32000, sc_core::SC_ZERO_TIME);
  };
  sc_core::sc_start();
  CHECK(in.to_seconds() == Approx(1e-6 + 500e-9));
  CHECK(out.to_seconds() == Approx(1e-6 + 500e-9));  // the other direction is independent
  const auto s = link->stats(sc_time(2, SC_US));
  CHECK(s.energy[EnergyKind::transfer] == Approx(64000 * 8 * 5e-12));
  CHECK(s.bytes_written == 32000);
  CHECK(s.bytes_read == 32000);
}

TEST_CASE("crossbar: splits across channels by interleave and conserves bytes", "[modules]") {
  auto noc = test::make_component(
      "noc",
      "type: crossbar\ninterleave_bytes: 256\nlink_bandwidth_gbps: 1000\nhop_latency_ns: 2\n"
      "energy_pj_per_bit_per_hop: 0.1\nstatic_power_mw: 0\n");
  std::vector<std::unique_ptr<Component>> mems;
  auto* xbar = dynamic_cast<Crossbar*>(noc.get());
  for (int c = 0; c < 4; ++c) {
    mems.push_back(test::make_component("mem" + std::to_string(c), kIdealMemory));
    xbar->out.bind(*test::port(*mems.back(), "target").target);
  }
  test::TestInitiator init("init");
  init.socket.bind(xbar->in);
  sc_time done;
  init.body = [&](test::TestInitiator& i) { done = i.access(tlm::TLM_READ_COMMAND, 128, 1 << 20, sc_core::SC_ZERO_TIME); };
  sc_core::sc_start();
  uint64_t total = 0;
  for (auto& m : mems) {
    const auto s = m->stats(done);
    CHECK(s.bytes_read == Approx((1 << 20) / 4.0).margin(256));
    total += s.bytes_read;
  }
  CHECK(total == (1u << 20));
  // Four channels at 10 GB/s in parallel: 1 MiB in ~26 us plus hop and memory latency, not 4x that.
  CHECK(done.to_seconds() == Approx((1 << 20) / 40e9 + 2e-9 + 40e-9).epsilon(0.01));
  CHECK(noc->stats(done).energy[EnergyKind::transfer] == Approx((1 << 20) * 8 * 0.1e-12));
}

TEST_CASE("pe: double-buffered tiles overlap load and compute; the slower side sets the time", "[modules]") {
  auto pe = test::make_component(
      "pe",
      std::string(kPe) + "tile_bytes: 4096\nbuffer_slots: 2\n");
  auto mem = test::make_component("mem", kIdealMemory);
  auto* p = dynamic_cast<ProcessingElement*>(pe.get());
  p->mem.bind(*test::port(*mem, "target").target);
  test::TestInitiator init("init");
  init.socket.bind(p->cmd);
  WorkItem memory_bound, compute_bound;
  sc_time t_mem, t_compute;
  init.body = [&](test::TestInitiator& i) {
    // 1 MiB of weights at 10 GB/s = 104.9 us; 1e6 FLOPs at 128 GFLOP/s = 7.8 us: memory-bound.
    memory_bound.loads.push_back({StreamKind::weight, 0, 1 << 20});
    memory_bound.matmul_flops = 1e6;
    t_mem = i.access(tlm::TLM_WRITE_COMMAND, 0, 0, sc_core::SC_ZERO_TIME, &memory_bound);
    // 64 KiB at 10 GB/s = 6.6 us; 1e8 FLOPs = 781 us: compute-bound.
    compute_bound.loads.push_back({StreamKind::weight, 0, 1 << 16});
    compute_bound.matmul_flops = 1e8;
    compute_bound.stores.push_back({StreamKind::kv, 1 << 20, 8192});
    t_compute = i.access(tlm::TLM_WRITE_COMMAND, 0, 0, t_mem, &compute_bound);
  };
  sc_core::sc_start();
  const double load = (1 << 20) / 10e9;
  CHECK(t_mem.to_seconds() >= load);
  CHECK(t_mem.to_seconds() <= load * 1.02 + 1e-6);  // compute hidden behind the loads
  CHECK(memory_bound.memory_time > memory_bound.compute_time);
  const double compute = 1e8 / (2 * 64 * 1e9);
  CHECK((t_compute - t_mem).to_seconds() >= compute);
  CHECK((t_compute - t_mem).to_seconds() <= compute + 4096 / 10e9 + 8192 / 10e9 + 2e-7);
  CHECK(compute_bound.compute_time > compute_bound.memory_time);
  const auto s = pe->stats(t_compute);
  CHECK(s.bytes_read == (1 << 20) + (1 << 16));
  CHECK(s.bytes_written == 8192);
  CHECK(s.energy[EnergyKind::compute] == Approx((1e6 + 1e8) / 2 * 1e-12));
  CHECK(mem->stats(t_compute).bytes_read == s.bytes_read);
}

namespace {
// A GEMV over 4096 x 4096 weights with no memory traffic: compute alone.
constexpr double kN = 4096, kK = 4096, kMacs = kN * kK;
WorkItem gemv(WeightCoding coding, uint32_t bits, Precision act) {
  WorkItem w;
  w.matmul_flops = 2 * kMacs;
  w.weight_coding = coding;
  w.code_bits = bits;
  w.weight_elements = kN * kK;
  w.rows = 1;
  w.reduction = kK;
  w.activation_precision = act;
  return w;
}
}  // namespace

TEST_CASE("pe: dense FP16 weights run at the FP16 MAC rate", "[modules]") {
  WorkItem w = gemv(WeightCoding::dense, 16, Precision::fp32);
  ComponentStats s;
  CHECK(run_work(kPe, w, &s).to_seconds() == Approx(kMacs / 64 / 1e9));
  CHECK(s.energy[EnergyKind::compute] == Approx(kMacs * 1e-12));
}

TEST_CASE("pe: INT8 activations use the INT8 array and quantized weights pass the dequantizer", "[modules]") {
  WorkItem w = gemv(WeightCoding::quantized, 8, Precision::int8);
  ComponentStats s;
  // 128 MACs/cycle vs 32 weights/cycle decoded: the dequantizer is the bottleneck, pipelined with the MACs.
  CHECK(run_work(kPe, w, &s).to_seconds() == Approx(kN * kK / 32 / 1e9));
  CHECK(s.energy[EnergyKind::compute] == Approx(kMacs * 0.25e-12 + kN * kK * 0.5e-12));
}

TEST_CASE("pe: binary-coded weights use the LUT unit: q lookups per mu weights plus table building", "[modules]") {
  WorkItem w = gemv(WeightCoding::binary_coded, 3, Precision::fp16);
  ComponentStats s;
  const double lookups = kN * kK * 3 / 8, build = std::ceil(kK / 8) * 256;
  CHECK(run_work(kPe, w, &s).to_seconds() == Approx((lookups / 16 + build / 16) / 1e9));
  CHECK(s.energy[EnergyKind::compute] == Approx(lookups * 0.3e-12 + build * 0.5e-12));
}

TEST_CASE("pe: without a LUT unit binary-coded weights are dequantized", "[modules]") {
  std::string no_lut = kPe;
  no_lut.replace(no_lut.find("lut_gemm"), no_lut.find("vector_ops") - no_lut.find("lut_gemm"), "");
  WorkItem w = gemv(WeightCoding::binary_coded, 3, Precision::fp16);
  CHECK(run_work(no_lut, w).to_seconds() == Approx(std::max(kMacs / 64, kN * kK / 32) / 1e9));
}

TEST_CASE("pe: a compute precision without a MAC array is refused", "[modules]") {
  std::string bad = kPe;
  bad.replace(bad.find("compute_precision: fp16"), 23, "compute_precision: int4");
  CHECK_THROWS_WITH(test::make_component("pe", bad), Catch::Contains("pe.compute_precision: 'int4' has no entry in mac_units"));
  bad = kPe;
  bad.replace(bad.find("int8:"), 5, "int9:");
  CHECK_THROWS_WITH(test::make_component("pe", bad), Catch::Contains("mac_units.int9: unknown precision"));
}
