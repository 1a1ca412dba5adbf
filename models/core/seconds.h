// sc_time to and from seconds inline, to the bit as SystemC 2.3.4 converts them (sc_time::to_seconds and
// sc_time(double, SC_SEC) in src/sysc/kernel/sc_time.cpp), for the paths that convert on every transaction:
// the library's versions are out-of-line calls that look up the simulation context and, for seconds to
// sc_time, divide by the resolution each time. The time resolution is read when a Seconds is made; SystemC
// fixes it at the first sc_time made, which is before any module exists. It is a power of ten femtoseconds
// (sc_set_time_resolution refuses others), so ticks per second and the resolution in fs are exact doubles,
// the library's own factors. Leaves out SC_MAXTIME_ALLOWED_ (off in the Debian build).
#pragma once

#include <cstdint>

#include <systemc>

namespace llmx {

class Seconds {
 public:
  Seconds()
      : ticks_per_s_(double(sc_core::sc_time(1.0, sc_core::SC_SEC).value())),
        resolution_fs_(1e15 / ticks_per_s_) {}

  double of(const sc_core::sc_time& t) const { return double(t.value()) * resolution_fs_ * 1e-15; }

  sc_core::sc_time to_time(double s) const {
    if (s == 0) return sc_core::SC_ZERO_TIME;
    // As the library: through a volatile, so the sum is rounded to double before the conversion.
    volatile double ticks = s * ticks_per_s_ + 0.5;
    return sc_core::sc_time::from_value(sc_core::sc_time::value_type(static_cast<int64_t>(ticks)));
  }

 private:
  double ticks_per_s_;    // the library's time_values[SC_SEC] / time_resolution
  double resolution_fs_;  // the library's time_resolution
};

}  // namespace llmx
