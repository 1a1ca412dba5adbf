// Seconds converts sc_time to and from seconds to the bit as SystemC does (to_seconds, sc_time(s, SC_SEC)):
// times from femtoseconds to hours, whole ticks and between them, the values the booker and the DRAM
// channel convert on every transaction.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "models/core/seconds.h"

using sc_core::SC_SEC;
using sc_core::sc_time;

TEST_CASE("seconds: inline conversions equal SystemC's to the bit", "[core]") {
  const llmx::Seconds seconds;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200000; ++i) {
    // Mantissa uniform in [1, 2), exponent from 2^-50 s (below the resolution) to 2^12 s.
    const double s = std::ldexp(1.0 + double(rng() % (uint64_t(1) << 52)) / double(uint64_t(1) << 52),
                                int(rng() % 63) - 50);
    const sc_time want(s, SC_SEC);
    const sc_time got = seconds.to_time(s);
    INFO("seconds " << s);
    REQUIRE(got.value() == want.value());
    REQUIRE(seconds.of(want) == want.to_seconds());
    const sc_time ticks = sc_time::from_value(rng() >> (rng() % 64));
    REQUIRE(seconds.of(ticks) == ticks.to_seconds());
  }
  CHECK(seconds.to_time(0) == sc_core::SC_ZERO_TIME);
  CHECK(seconds.of(sc_core::SC_ZERO_TIME) == 0.0);
}
