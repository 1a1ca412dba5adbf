// Contention under temporal decoupling: a resource with a peak rate books its capacity in fixed time windows.
// A request that starts at local time t takes the free capacity of the window holding t and of the windows
// after it until its bytes are placed; it finishes where its last byte lands. Initiators that run ahead of
// each other in simulated time (loosely timed, with a quantum) still share the resource as it would be shared
// in time, unlike a single "busy-until" time, which serialises them in host order and was measured 5-10x
// wrong under contention at a 1 us quantum (DEVELOPERS.md). The served rate never exceeds the peak.
//
// Cost, O(1) amortised per request: a request looks at its first window, its last one and the partly filled
// ones in between, not at the full or empty ones. Windows a request filled from empty ones are kept as one
// run, filled in closed form (fill_empty_windows) and found by a binary search among the live runs; other
// full windows link to a later window that may be open (path-compressed); empty windows are not stored. The
// answers are those of placing bytes window by window, to the last bit (tests/test_booker.cpp replays random
// request sequences through both). Memory: the windows a request stopped in, in a ring indexed by window from
// the one before sc_time_stamp()'s (no request can start earlier) to the farthest booked: 1024 windows at
// first, doubled while bookings reach further ahead, at most kMaxWindows (about 52 ms ahead at a 50 ns
// window, 1 s at 1 us; 24 bytes a window), and the runs. Bytes that would land past the largest ring are
// served after its end at the peak rate, each after the one before (a single busy-until time beyond the ring,
// whose time is reserved in the windows as they enter the ring): still never above the peak, but not
// interleaved window by window, and a request starting past the ring reserves the gap before it too.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/core/seconds.h"

namespace llmx {

class BandwidthBooker {
 public:
  static constexpr uint64_t kMaxWindows = uint64_t(1) << 20;

  // bytes_per_s: peak rate. window: booking granularity (smaller = closer to exact, more bookkeeping).
  BandwidthBooker(double bytes_per_s, sc_core::sc_time window);

  // Books `bytes` for a request whose annotated local time is `delay` (an offset from sc_time_stamp(), as
  // b_transport receives it); returns the annotated local time at which the last byte is served.
  sc_core::sc_time book(const sc_core::sc_time& delay, uint64_t bytes) {
    return book_at(sc_core::sc_time_stamp(), delay, bytes);
  }
  // The same with the simulation time given: `now` never decreases from one call to the next.
  sc_core::sc_time book_at(const sc_core::sc_time& now, const sc_core::sc_time& delay, uint64_t bytes) {
    if (bytes == 0) return delay;
    return seconds_.to_time(book_seconds(seconds_.of(now), seconds_.of(now + delay), bytes)) - now;
  }
  // The core of book_at for a caller that has the times in seconds already: `now_s` is now.to_seconds(),
  // `start_s` (now + delay).to_seconds(), `bytes` > 0; returns the
  // absolute time in seconds at which the last byte is served, which book_at converts to sc_time.
  double book_seconds(double now_s, double start_s, uint64_t bytes);

  // Counts bytes that passed without being booked in windows (a resource that can never bind: its busy
  // time still counts them).
  void count_unbooked(uint64_t bytes) { booked_ += bytes; }

  double bytes_per_s() const { return rate_; }
  // Time the resource spent serving (bytes booked / rate).
  sc_core::sc_time busy() const;
  uint64_t bytes_booked() const { return booked_; }
  // Windows the ring can hold now.
  uint64_t ring_windows() const { return slots_.size(); }

 private:
  struct Slot {
    uint64_t window = ~uint64_t(0);  // the window this slot holds (a slot serves every ring-size-th window)
    double used = 0;                 // bytes booked in it
    uint64_t link = 0;               // when it is full: a later window that may be open
  };
  struct Run {  // windows [begin, end), each filled to capacity by one request
    uint64_t begin, end;
  };

  Slot& slot(uint64_t w) { return slots_[w & mask_]; }
  const Slot& slot(uint64_t w) const { return slots_[w & mask_]; }
  void release(uint64_t now_window, uint64_t first_window);
  bool make_room(uint64_t w) { return w - base_ < slots_.size() || grow(w); }
  bool grow(uint64_t w);
  double touch(uint64_t w);
  uint64_t& link(uint64_t w) { return slots_[w & mask_].link; }
  double reserved(uint64_t w) const;
  const Run* run_at(uint64_t w) const;
  const Run& run(size_t i) const { return runs_[(run_head_ + i) & (runs_.size() - 1)]; }
  void add_run(uint64_t begin, uint64_t end);
  uint64_t next_open(uint64_t w) { return w < end_ ? next_open_booked(w) : w; }
  uint64_t next_open_booked(uint64_t w);
  double place_in_empty_run(uint64_t w, double& remaining);
  double beyond_ring(double from_s, double bytes);
  void advance_first_free();

  double rate_;
  double window_s_;
  double capacity_;          // bytes per window
  double epsilon_;           // tolerance for floating-point residue when a window is filled exactly
  uint64_t base_ = 0;        // oldest window kept
  uint64_t end_ = 0;         // windows from here on are empty
  uint64_t first_free_ = 0;  // every window from base_ up to (not incl.) this one is full
  std::vector<Slot> slots_;  // a power of two of them
  uint64_t mask_;            // slots_.size() - 1
  std::vector<Run> runs_;    // a ring (power-of-two size) of run_count_ runs from run_head_, in window order
  size_t run_head_ = 0, run_count_ = 0;
  mutable size_t run_hint_ = 0;  // index (from run_head_) of the run run_at found last: the next is near
  double tail_begin_s_ = 0, tail_end_s_ = 0;  // time reserved past the ring (none when end <= begin)
  uint64_t booked_ = 0;
  Seconds seconds_;
};

// Filling empty windows one after another, `remaining -= capacity` each in double precision, while fewer than
// `limit` windows are filled and more than one window's capacity remains, stopping after a window that leaves
// at most `epsilon` ("drained"). Computed binade by binade: while `remaining` keeps its binary exponent every
// subtraction rounds alike, so a run of them is one multiplication; the result is that of the loop to the
// bit.
struct WindowRun {
  uint64_t windows = 0;  // windows filled
  double remaining = 0;  // what is left after them
  bool drained = false;  // the last one left at most epsilon
};
WindowRun fill_empty_windows(double remaining, double capacity, double epsilon, uint64_t limit);

}  // namespace llmx
