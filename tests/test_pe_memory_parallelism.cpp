// Memory-level parallelism of a PE (`bytes_in_flight`): with at most W bytes of loads outstanding and a
// memory whose latency is L, a stream achieves at most W / L (Little's law) however fast the memory is, and
// reaches the memory's bandwidth once W covers bandwidth x latency. One simulation per test case.
#include <catch2/catch.hpp>

#include "models/compute/processing_element.h"
#include "models/core/work_item.h"
#include "tests/testbench.h"

using namespace llmx;
using sc_core::sc_time;

namespace {

// 1 TB/s, 500 ns: bandwidth x latency = 500 kB must be in flight to stream at peak.
const char* kFastMemory =
    "type: ideal_memory\ncapacity_gib: 1\nbandwidth_gbps: 1000\nlatency_ns: 500\n"
    "read_energy_pj_per_bit: 4\nwrite_energy_pj_per_bit: 4\nbackground_power_mw: 0\n";

// A memory-bound PE: 4096 FP16 MACs/cycle at 1 GHz, so a mat-vec over its weights computes in a fraction of
// their load time.
const std::string kPe =
    "type: pe\nclock_mhz: 1000\ncompute_precision: fp16\n"
    "mac_units: {fp16: {macs_per_cycle: 4096, energy_pj: 1}}\n"
    "dequant_weights_per_cycle: 4096\ndequant_energy_pj_per_weight: 0\n"
    "vector_ops_per_cycle: 64\nvector_op_energy_pj: 0\nstatic_power_mw: 0\ntile_bytes: "
    "1048576\nbuffer_slots: 2\n";

constexpr uint64_t kBytes = 8u << 20;

// Streams kBytes of FP16 weights through a PE configured by `extra`; returns the achieved bytes/s.
double stream(const std::string& extra, uint64_t* bytes_read) {
  auto pe = test::make_component("pe", kPe + extra);
  auto mem = test::make_component("mem", kFastMemory);
  auto* p = dynamic_cast<ProcessingElement*>(pe.get());
  p->mem.bind(*test::port(*mem, "target").target);
  test::TestInitiator init("init");
  init.socket.bind(p->cmd);
  WorkItem w;
  w.loads.push_back({StreamKind::weight, 0, kBytes});
  w.matmul_flops = static_cast<double>(kBytes);  // 2 FLOPs per 2-byte weight
  sc_time t;
  init.body = [&](test::TestInitiator& i) {
    t = i.access(tlm::TLM_WRITE_COMMAND, 0, 0, sc_core::SC_ZERO_TIME, &w);
  };
  sc_core::sc_start();
  *bytes_read = mem->stats(t).bytes_read;
  return kBytes / t.to_seconds();
}

}  // namespace

TEST_CASE("pe: 64 KiB in flight against 500 ns of latency stream at Little's law, not at the memory's peak",
          "[modules][mlp]") {
  uint64_t read = 0;
  const double achieved = stream("bytes_in_flight: 65536\nload_latency_ns: 500\n", &read);
  CHECK(read == kBytes);                 // bytes requested = bytes served
  const double little = 65536 / 500e-9;  // 131 GB/s
  CHECK(achieved <= little);
  CHECK(achieved >= 0.95 * little);  // the 1 MiB tiles stay; only their arrival is paced
  CHECK(achieved < 0.15 * 1000e9);
}

TEST_CASE("pe: with bandwidth x latency in flight the same stream reaches the memory's bandwidth",
          "[modules][mlp]") {
  uint64_t read = 0;
  const double achieved =
      stream("bytes_in_flight: 2097152\nload_latency_ns: 500\n", &read);  // 2 MiB: 4x bandwidth x latency
  CHECK(read == kBytes);
  CHECK(achieved <= 1000e9);
  // One latency and the compute of the last 1 MiB tile stay exposed out of 8.4 us of streaming.
  CHECK(achieved >= 0.8 * 1000e9);
}
