// Contention under temporal decoupling: a resource with a peak rate books its capacity in fixed time windows.
// A request that starts at local time t takes the free capacity of the window holding t and of the windows
// after it until its bytes are placed; it finishes where its last byte lands. Initiators that run ahead of
// each other in simulated time (loosely timed, with a quantum) still share the resource as it would be shared
// in time, unlike a single "busy-until" time, which serialises them in host order and was measured 5-10x
// wrong under contention at a 1 us quantum (DEVELOPERS.md). The served rate never exceeds the peak.
#pragma once

#include <cstdint>
#include <deque>

#include <systemc>

namespace llmx {

class BandwidthBooker {
 public:
  // bytes_per_s: peak rate. window: booking granularity (smaller = closer to exact, more bookkeeping).
  BandwidthBooker(double bytes_per_s, sc_core::sc_time window);

  // Books `bytes` for a request whose annotated local time is `delay` (an offset from sc_time_stamp(), as
  // b_transport receives it); returns the annotated local time at which the last byte is served.
  sc_core::sc_time book(const sc_core::sc_time& delay, uint64_t bytes);

  double bytes_per_s() const { return rate_; }
  // Time the resource spent serving (bytes booked / rate).
  sc_core::sc_time busy() const;
  uint64_t bytes_booked() const { return booked_; }

 private:
  double rate_;
  double window_s_;
  double capacity_;           // bytes per window
  uint64_t base_ = 0;         // window index of used_.front()
  uint64_t first_free_ = 0;   // every window from base_ up to (not incl.) this one is full
  std::deque<double> used_;   // bytes booked per window, from base_
  uint64_t booked_ = 0;
};

}  // namespace llmx
