// DRAM model speed in host CPU seconds (std::clock, not wall time): 64-byte accesses and simulated GB per CPU
// second for sequential, random and multi-stream traffic on the command-level model (models/memory/dram/),
// each 64 B line issued as the system's own requests (LPDDR5: two of 32 B, HBM3: one of 64 B), and for
// streaming through the loosely-timed channel (models/memory/dram_channel.h), whose large transactions
// reproduce the command-level timing within 2% (tests/test_dram_channel.cpp). Prints figures; it is not a
// test.
#include <cstdio>
#include <ctime>
#include <vector>

#include "build_paths.h"
#include "explorer/config/loader.h"
#include "models/memory/dram/memory_system.h"
#include "models/memory/dram_channel.h"
#include "tests/dram_reference_systems.h"

using namespace llmx;

namespace {

double cpu_seconds() {
  return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

void report(const char* name, uint64_t requests, uint64_t bytes, double sim_ns, double cpu_s) {
  std::printf(
      "%-44s %10.3f M 64-byte accesses/CPU-s  %8.3f GB simulated/CPU-s  (%llu requests, %.1f us simulated, "
      "%.3f CPU-s)\n",
      name, double(bytes) / 64 / cpu_s / 1e6, double(bytes) / cpu_s / 1e9, (unsigned long long)requests,
      sim_ns / 1e3, cpu_s);
}

void engine(const char* name, const dram::reference::System& s,
            const std::function<bool(dram::Access&)>& gen) {
  const double t0 = cpu_seconds();
  const auto r = dram::reference::run(s, gen);
  const double host = cpu_seconds() - t0;
  report(name, r.accesses, r.bytes_read + r.bytes_written, r.elapsed_ns, host);
}

// Several interleaved sequential streams at different base addresses.
std::function<bool(dram::Access&)> multi_stream(int streams, uint64_t per_stream, uint32_t bytes) {
  auto i = std::make_shared<uint64_t>(0);
  return [=](dram::Access& a) {
    if (*i >= per_stream * uint64_t(streams)) return false;
    const uint64_t s = *i % uint64_t(streams), k = *i / uint64_t(streams);
    a.addr = s * (uint64_t(512) << 20) + k * bytes;
    a.bytes = bytes;
    a.is_write = false;
    ++*i;
    return true;
  };
}

}  // namespace

int sc_main(int, char**) {
  using namespace dram::reference;
  std::printf("command-level model (Ramulator-configured LPDDR5-6400 x8 / HBM3-6400 x16):\n");
  const System lp = ramulator_lpddr5_6400(), hbm = ramulator_hbm3_6400();
  engine("LPDDR5 sequential 64 B", lp, sequential(262144, lp.request_bytes));
  engine("LPDDR5 random 64 B", lp, random_lines(65536, lp.request_bytes));
  engine("LPDDR5 8 interleaved streams 64 B", lp, multi_stream(8, 32768, lp.request_bytes));
  engine("HBM3 sequential 64 B", hbm, sequential(262144, hbm.request_bytes));
  engine("HBM3 random 64 B", hbm, random_lines(65536, hbm.request_bytes));
  engine("HBM3 8 interleaved streams 64 B", hbm, multi_stream(8, 32768, hbm.request_bytes));

  std::printf("loosely-timed channel (type dram, preset lpddr5x-8533), streaming at timing fidelity:\n");
  for (uint64_t chunk : {uint64_t(64), uint64_t(4096), uint64_t(128) << 10}) {
    auto root = load_config(std::string(LLMX_SOURCE_DIR) + "/configs/memory/lpddr5x-8533.yaml");
    Params p(root, "", nullptr);
    ElabContext ctx;
    char name[32];
    std::snprintf(name, sizeof name, "ch%llu", (unsigned long long)chunk);
    DramChannel ch(name, p, ctx);
    tlm::tlm_generic_payload t;
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_data_ptr(Component::scratch_data());
    const uint64_t total = uint64_t(512) << 20;
    // One initiator keeping 32 transactions in flight: each starts when the one 32 before it has completed.
    std::vector<double> done(32, 0.0);
    const double t0 = cpu_seconds();
    double end_ns = 0;
    uint64_t k = 0;
    for (uint64_t a = 0; a < total; a += chunk, ++k) {
      t.set_address(a % (ch.capacity_bytes() - chunk));
      t.set_data_length(unsigned(chunk));
      sc_core::sc_time d(done[k % 32], sc_core::SC_NS);
      ch.b_transport(t, d);
      done[k % 32] = d.to_seconds() * 1e9;
      end_ns = std::max(end_ns, done[k % 32]);
    }
    const double host = cpu_seconds() - t0;
    char label[96];
    std::snprintf(label, sizeof label, "streaming, %llu B transactions", (unsigned long long)chunk);
    report(label, total / chunk, total, end_ns, host);
    std::printf("%-44s %.1f GB/s simulated (peak %.1f)\n", "", double(total) / end_ns,
                ch.peak_bandwidth_bytes_per_s() / 1e9);
  }
  return 0;
}
