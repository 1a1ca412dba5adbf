// Core mechanisms: windowed bandwidth booking, channel interleaving, the energy ledger.
#include <catch2/catch.hpp>

#include <random>

#include "models/core/bandwidth_booker.h"
#include "models/core/stats.h"
#include "models/interconnect/crossbar.h"

using namespace llmx;
using sc_core::sc_time;
using sc_core::SC_NS;

TEST_CASE("booker: one request takes bytes / rate, never less", "[core]") {
  BandwidthBooker b(10e9, sc_time(50, SC_NS));  // 10 GB/s
  const sc_time done = b.book(sc_time(100, SC_NS), 10000);  // 1 us at peak
  CHECK(done.to_seconds() == Approx(100e-9 + 1e-6).epsilon(1e-9));
  CHECK(b.busy().to_seconds() == Approx(1e-6));
}

TEST_CASE("booker: concurrent requests share the peak rate", "[core]") {
  // Eight initiators each move 64 KiB starting at the same time: the last finishes when 512 KiB have moved at
  // peak, and no one finishes before its own bytes could have moved at peak.
  BandwidthBooker b(100e9, sc_time(20, SC_NS));
  const sc_time start(1, sc_core::SC_US);
  sc_time last = sc_core::SC_ZERO_TIME;
  for (int i = 0; i < 8; ++i) {
    const sc_time done = b.book(start, 65536);
    CHECK(done.to_seconds() >= start.to_seconds() + 65536 / 100e9 - 1e-12);
    last = std::max(last, done);
  }
  CHECK(last.to_seconds() == Approx(1e-6 + 8 * 65536 / 100e9).epsilon(1e-6));
}

TEST_CASE("booker: an initiator running ahead in local time does not delay earlier traffic", "[core]") {
  // Under temporal decoupling an initiator may book at 10 us before another books at 1 us. With a single
  // busy-until time the second would wait until 10.66 us; with windows it is served at 1 us.
  BandwidthBooker b(100e9, sc_time(20, SC_NS));
  const sc_time ahead = b.book(sc_time(10, sc_core::SC_US), 65536);
  const sc_time behind = b.book(sc_time(1, sc_core::SC_US), 65536);
  CHECK(ahead.to_seconds() == Approx(10e-6 + 65536 / 100e9).epsilon(1e-6));
  CHECK(behind.to_seconds() == Approx(1e-6 + 65536 / 100e9).epsilon(1e-6));
}

TEST_CASE("booker: served rate never exceeds the peak over any horizon", "[core]") {
  std::mt19937_64 rng(7);
  BandwidthBooker b(25e9, sc_time(50, SC_NS));
  uint64_t bytes = 0;
  double last = 0;
  for (int i = 0; i < 2000; ++i) {
    const sc_time start(std::uniform_real_distribution<double>(0, 20e-6)(rng), sc_core::SC_SEC);
    const uint64_t n = 64 + rng() % 8192;
    bytes += n;
    last = std::max(last, b.book(start, n).to_seconds());
  }
  CHECK(bytes / last <= 25e9 * (1 + 1e-9));
  CHECK(b.bytes_booked() == bytes);
}

TEST_CASE("crossbar: interleaved slices conserve bytes and match a byte-by-byte mapping", "[core]") {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 300; ++trial) {
    const uint64_t g = uint64_t(64) << (rng() % 4);
    const uint64_t channels = 1 + rng() % 12;
    const uint64_t addr = rng() % 100000, bytes = 1 + rng() % 20000;
    uint64_t total = 0;
    for (uint64_t c = 0; c < channels; ++c) {
      const auto s = Crossbar::slice(addr, bytes, g, channels, c);
      total += s.bytes;
      // Reference: walk the bytes, keep the channel-local addresses that land on c; they must be one range.
      uint64_t lo = UINT64_MAX, hi = 0, n = 0;
      for (uint64_t a = addr; a < addr + bytes; ++a) {
        if ((a / g) % channels != c) continue;
        const uint64_t local = (a / g / channels) * g + a % g;
        lo = std::min(lo, local);
        hi = std::max(hi, local);
        ++n;
      }
      REQUIRE(s.bytes == n);
      if (n) {
        CHECK(s.local_address == lo);
        CHECK(hi - lo + 1 == n);  // contiguous in the channel's local space
      }
    }
    REQUIRE(total == bytes);
  }
}

TEST_CASE("energy: the total is the sum of the parts, and snapshots subtract", "[core]") {
  EnergyBreakdown a, b;
  a[EnergyKind::act_pre] = 1.5;
  a[EnergyKind::io] = 0.25;
  a[EnergyKind::static_power] = 2;
  b = a;
  b[EnergyKind::compute] = 4;
  CHECK(a.total() == 3.75);
  CHECK((b - a).total() == 4);
  EnergyBreakdown c;
  c += a;
  c += b;
  CHECK(c.total() == Approx(a.total() + b.total()));
  for (int k = 0; k < kEnergyKinds; ++k) CHECK(std::string(energy_kind_name(EnergyKind(k))) != "?");
}
