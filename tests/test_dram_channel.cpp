// The DRAM channel as a loosely-timed TLM target (type `dram`): a large transaction is accounted as the
// bursts it stands for and its coarse timing reproduces both the same traffic as 64 B transactions and the
// command-level model within 2%; random traffic matches the command-level model; windowed booking shares the
// channel correctly when initiators arrive out of simulated-time order; statistics carry energy by kind whose
// total is the sum of the parts; the served rate never exceeds the peak.
#include <catch2/catch.hpp>

#include "explorer/config/loader.h"
#include "models/core/registry.h"
#include "models/memory/dram/memory_system.h"
#include "models/memory/dram_channel.h"
#include "tests/support.h"

using namespace llmx;
using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

std::unique_ptr<DramChannel> make_channel(const std::string& name, const std::string& preset,
                                          const std::vector<std::string>& overrides = {}) {
  auto root = load_config(test::source_dir() + "/configs/memory/" + preset, overrides);
  Params p(root, "", nullptr);
  ElabContext ctx;
  ctx.quantum = sc_time(1, sc_core::SC_US);
  auto ch = std::make_unique<DramChannel>(name.c_str(), p, ctx);
  p.finish();
  return ch;
}

// Issues one transaction at local offset `start`; returns the completion time (absolute, ns).
double transact(DramChannel& ch, uint64_t addr, uint64_t bytes, bool write, double start_ns) {
  tlm::tlm_generic_payload t;
  t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  t.set_address(addr);
  t.set_data_length(unsigned(bytes));
  t.set_data_ptr(Component::scratch_data());
  sc_time delay(start_ns, SC_NS);
  ch.b_transport(t, delay);
  REQUIRE(t.get_response_status() == tlm::TLM_OK_RESPONSE);
  return delay.to_seconds() * 1e9;
}

double engine_sequential_ns(const dram::DramSpec& spec, uint64_t bytes) {
  dram::InjectionModel inj;
  dram::MemorySystem m(spec, 1, {}, inj);
  uint64_t at = 0;
  return m
      .run([&](dram::Access& a) {
        if (at >= bytes) return false;
        a.addr = at;
        a.bytes = 64;
        at += 64;
        return true;
      })
      .elapsed_ns;
}

void coarse_vs_fine(const std::string& preset) {
  const uint64_t bytes = 4ull << 20;
  auto coarse = make_channel("coarse", preset);
  const double t_coarse = transact(*coarse, 0, bytes, false, 0);
  auto fine = make_channel("fine", preset);
  double t_fine = 0;
  for (uint64_t a = 0; a < bytes; a += 64) t_fine = std::max(t_fine, transact(*fine, a, 64, false, 0));
  const double t_engine = engine_sequential_ns(coarse->spec(), bytes);
  INFO(preset << ": one 4 MiB transaction " << t_coarse << " ns, 65536 x 64 B " << t_fine
              << " ns, command-level model " << t_engine << " ns");
  CHECK(t_coarse == Approx(t_fine).epsilon(0.02));
  CHECK(t_coarse == Approx(t_engine).epsilon(0.02));
  // Never above peak.
  CHECK(double(bytes) / (t_coarse * 1e-9) <= coarse->peak_bandwidth_bytes_per_s());
  const auto st = coarse->stats(sc_time(t_coarse, SC_NS));
  CHECK(st.bytes_read == bytes);
  CHECK(st.requests == 1);
}

}  // namespace

TEST_CASE(
    "dram channel: coarse 4 MiB transaction matches 64 B transactions and the command-level model (LPDDR5X)",
    "[dram][channel]") {
  coarse_vs_fine("lpddr5x-8533.yaml");
}

TEST_CASE(
    "dram channel: coarse 4 MiB transaction matches 64 B transactions and the command-level model (HBM3)",
    "[dram][channel]") {
  coarse_vs_fine("hbm3-6400.yaml");
}

TEST_CASE("dram channel: random 64 B reads cost what the command-level model says", "[dram][channel]") {
  auto ch = make_channel("rand", "lpddr5-6400.yaml");
  const auto& spec = ch->spec();
  const uint64_t lines = spec.org.capacity_bytes() / 64;
  uint64_t x = 2463534242ull;
  auto next = [&]() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (x % lines) * 64;
  };
  const int n = 20000;
  double end = 0;
  for (int i = 0; i < n; ++i) end = std::max(end, transact(*ch, next(), 64, false, 0));
  dram::InjectionModel inj;
  dram::MemorySystem m(spec, 1, {}, inj);
  int i = 0;
  x = 2463534242ull;
  const auto r = m.run([&](dram::Access& a) {
    if (i++ >= n) return false;
    a.addr = next();
    a.bytes = 64;
    return true;
  });
  INFO("TLM " << end << " ns, command-level " << r.elapsed_ns << " ns");
  CHECK(end == Approx(r.elapsed_ns).epsilon(0.05));
}

TEST_CASE("dram channel: initiators arriving out of time order share the channel in time",
          "[dram][channel]") {
  auto ch = make_channel("share", "lpddr5-6400.yaml");
  const uint64_t mib = 1 << 20;
  // Initiator B runs ahead (quantum) and books 1 MiB starting at 200 us; A then books 1 MiB from 0.
  const double b_end = transact(*ch, 0, mib, false, 200000);
  const double a_end = transact(*ch, 64 * mib, mib, false, 0);
  const double one = double(mib) / ch->peak_bandwidth_bytes_per_s() * 1e9;
  INFO("A ends " << a_end << " ns, B ends " << b_end << " ns, 1 MiB at peak " << one << " ns");
  // A is not queued behind B's later booking: both take about their own service time.
  CHECK(a_end < 200000);
  CHECK(a_end >= one);
  CHECK(b_end - 200000 >= one);
  CHECK(b_end - 200000 < 1.25 * one);
  // Overlapping bookings serialise: a second 1 MiB from 0 ends after A.
  const double c_end = transact(*ch, 128 * mib, mib, false, 0);
  CHECK(c_end >= a_end + one * 0.95);
}

TEST_CASE("dram channel: statistics carry energy by kind summing to the total", "[dram][channel]") {
  auto ch = make_channel("stats", "hbm2-2000.yaml");
  double end = transact(*ch, 0, 1 << 20, false, 0);
  end = std::max(end, transact(*ch, 8 << 20, 1 << 19, true, end));
  const auto s = ch->stats(sc_time(end, SC_NS));
  const auto& e = s.energy;
  double parts = 0;
  for (auto k : {EnergyKind::act_pre, EnergyKind::read_array, EnergyKind::write_array, EnergyKind::io,
                 EnergyKind::refresh, EnergyKind::background}) {
    CHECK(e[k] > 0);
    parts += e[k];
  }
  CHECK(e.total() == Approx(parts).epsilon(1e-12));
  CHECK(e[EnergyKind::compute] == 0);
  // The maximum bound: the same kinds, a sum of its parts, above the typical bound (HBM2's figures are
  // typical).
  REQUIRE(s.energy_max);
  const auto& m = *s.energy_max;
  double parts_max = 0;
  for (double j : m.joules) parts_max += j;
  CHECK(m.total() == Approx(parts_max).epsilon(1e-12));
  CHECK(m[EnergyKind::read_array] == Approx(e[EnergyKind::read_array] / 0.89));
  CHECK(m.total() > e.total());
  CHECK(s.bytes_read == (1u << 20));
  CHECK(s.bytes_written == (1u << 19));
  bool has_hit = false;
  for (const auto& [k, v] : s.extra)
    if (k == "row_hit_rate") {
      has_hit = true;
      CHECK(v > 0.8);
    }
  CHECK(has_hit);
  // Capacity and peak as the preset says: 2 PCs x 64 bit x 2000 MT/s.
  CHECK(ch->peak_bandwidth_bytes_per_s() == Approx(2 * 8 * 2000e6));
  CHECK(ch->capacity_bytes() == 2ull * 16 * 65536 * 1024);
}

TEST_CASE("dram channel: out-of-range addresses are refused, and the type is registered", "[dram][channel]") {
  auto ch = make_channel("range", "lpddr4x-4266.yaml");
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_READ_COMMAND);
  t.set_address(ch->capacity_bytes() - 32);
  t.set_data_length(64);
  t.set_data_ptr(Component::scratch_data());
  sc_time d = sc_core::SC_ZERO_TIME;
  ch->b_transport(t, d);
  CHECK(t.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE);
  REQUIRE(Registry::instance().find("dram") != nullptr);
}
