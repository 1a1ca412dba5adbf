// The bandwidth booker's fast paths give the answers of booking window by window, to the last bit: random
// request sequences (many initiators, overlapping start times, simulation time advancing, idle gaps, requests
// from 1 byte to megabytes) are replayed through BandwidthBooker and through the window-by-window algorithm
// it replaced (kept here as the reference), and every returned time is compared exactly. Requests that reach
// past the ring are bounded in memory and time.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <random>

#include "models/core/bandwidth_booker.h"

using namespace llmx;
using sc_core::SC_NS;
using sc_core::SC_SEC;
using sc_core::sc_time;

namespace {

// The booker as it was before the ring: a deque of windows, walked one window at a time.
class ReferenceBooker {
 public:
  ReferenceBooker(double bytes_per_s, sc_time window)
      : rate_(bytes_per_s), window_s_(window.to_seconds()), capacity_(bytes_per_s * window.to_seconds()) {}

  sc_time book_at(const sc_time& now, const sc_time& delay, uint64_t bytes) {
    if (bytes == 0) return delay;
    const double t0 = (now + delay).to_seconds();
    const auto now_window = static_cast<uint64_t>(now.to_seconds() / window_s_);
    while (!used_.empty() && base_ + 1 < now_window) {
      used_.pop_front();
      ++base_;
    }
    if (used_.empty()) base_ = std::min(now_window, static_cast<uint64_t>(t0 / window_s_));
    uint64_t w = static_cast<uint64_t>(t0 / window_s_);
    if (w < base_) w = base_;
    first_free_ = std::max(first_free_, base_);
    const bool skipped = w < first_free_;
    if (skipped) w = first_free_;
    double remaining = static_cast<double>(bytes);
    bool first = true;
    double finish = t0;
    const double epsilon = capacity_ * 1e-12;
    while (true) {
      if (w - base_ >= used_.size()) used_.resize(w - base_ + 1, 0.0);
      double& used = used_[w - base_];
      double available = capacity_ - used;
      const double window_start = static_cast<double>(w) * window_s_;
      if (first && !skipped) {
        const double left = std::max(0.0, (window_start + window_s_ - t0) / window_s_) * capacity_;
        available = std::min(available, left);
      }
      if (available > epsilon) {
        const double take = std::min(available, remaining);
        used += take;
        remaining -= take;
        if (remaining <= epsilon) {
          finish = window_start + std::min(1.0, used / capacity_) * window_s_;
          if (first && !skipped) finish = std::max(finish, t0 + static_cast<double>(bytes) / rate_);
          break;
        }
      }
      ++w;
      first = false;
    }
    while (first_free_ - base_ < used_.size() && used_[first_free_ - base_] >= capacity_ - epsilon)
      ++first_free_;
    finish = std::max(finish, t0 + static_cast<double>(bytes) / rate_);
    return sc_time(finish, SC_SEC) - now;
  }

 private:
  double rate_, window_s_, capacity_;
  uint64_t base_ = 0, first_free_ = 0;
  std::deque<double> used_;
};

struct Resource {
  double bytes_per_s;
  double window_ns;
};

// Rates and windows of the shipped models (DRAM channel, crossbar link, SRAM port, host link), and ones whose
// window capacity is a short binary fraction, where subtractions round to ties.
const Resource kResources[] = {{17.066e9, 50},  {128e9, 50},     {256e9, 20}, {25e9, 1000},
                               {17.0625e9, 50}, {2.048e12, 0.5}, {3e9, 7}};

// Request sizes in windows' worth of bytes (capacity: bytes per window): nothing, part of a window, a few
// windows, tiles, and now and then thousands of windows.
uint64_t request_bytes(std::mt19937_64& rng, double capacity) {
  const double windows[] = {0, 0.01, 0.3, 1, 1, 2.5, 8, 40, 40, 300, 5000};
  const double w = windows[rng() % 11] * (0.5 + double(rng() % 1000) / 1000);
  return rng() % 16 == 0 ? rng() % 3 : static_cast<uint64_t>(w * capacity) + rng() % 64;
}

// Replays one random sequence through both bookers; returns the number of requests compared.
int replay(const Resource& r, uint64_t seed, int requests) {
  std::mt19937_64 rng(seed);
  const sc_time window(r.window_ns, SC_NS);
  BandwidthBooker fast(r.bytes_per_s, window);
  ReferenceBooker reference(r.bytes_per_s, window);
  const int initiators = 1 + static_cast<int>(rng() % 16);
  std::vector<sc_time> local(initiators, sc_core::SC_ZERO_TIME);  // each initiator's absolute local time
  sc_time now = sc_core::SC_ZERO_TIME, farthest = now;
  const sc_time quantum(r.window_ns * (1 + rng() % 64), SC_NS);
  for (int i = 0; i < requests; ++i) {
    const int k = static_cast<int>(rng() % initiators);
    const uint64_t bytes = request_bytes(rng, r.bytes_per_s * window.to_seconds());
    switch (rng() % 8) {
      case 0:
        local[k] = now;
        break;  // at the simulation time
      case 1:
        local[k] = local[(k + 1) % initiators];
        break;  // with another initiator
      case 2:
        local[k] += sc_time(r.window_ns * double(rng() % 5000) / 7, SC_NS);
        break;  // ahead
      default:
        break;  // where it left off
    }
    // Within the ring (a million windows), where the answers must be the reference's.
    if ((local[k] - now).to_seconds() > 200000 * window.to_seconds()) local[k] = now;
    const sc_time delay = local[k] - now;
    const sc_time got = fast.book_at(now, delay, bytes);
    const sc_time want = reference.book_at(now, delay, bytes);
    INFO("resource " << r.bytes_per_s << " B/s, window " << r.window_ns << " ns, seed " << seed
                     << ", request " << i << ": " << bytes << " B at +" << delay.to_seconds() << " s, now "
                     << now.to_seconds());
    REQUIRE(got.value() == want.value());
    if (rng() % 3) local[k] = now + got;
    farthest = std::max(farthest, now + got);
    if (rng() % 8 == 0) {  // simulation time advances (to the slowest initiator, as a driver synchronises)
      now = std::max(now, *std::min_element(local.begin(), local.end()));
      // More booked ahead than the ring holds: time catches up (past the ring is not window by window).
      if ((farthest - now).to_seconds() > 500000 * window.to_seconds()) now = farthest - window * 100000.0;
      now += rng() % 50 == 0 ? sc_time(r.window_ns * double(10000 + rng() % 100000), SC_NS)  // idle
                             : quantum * double(rng() % 3);
      for (auto& t : local) t = std::max(t, now);  // nobody's local time is behind it
    }
  }
  REQUIRE(fast.ring_windows() <= BandwidthBooker::kMaxWindows);
  return requests;
}

}  // namespace

TEST_CASE("booker: random request sequences get the window-by-window answers to the last bit", "[core]") {
  int compared = 0;
  for (const Resource& r : kResources)
    for (uint64_t seed = 1; seed <= 6; ++seed)
      compared += replay(r, seed * 7919 + uint64_t(r.window_ns), 4000);
  CHECK(compared == 7 * 6 * 4000);
}

TEST_CASE("booker: empty windows filled in closed form leave what the one-by-one loop leaves", "[core]") {
  std::mt19937_64 rng(11);
  const double capacities[] = {853.3, 853.125, 6400.0, 1024.0, 0.75, 3.0, 1.0 / 3, 17066.666666666668, 1e-3};
  for (double capacity : capacities) {
    const double epsilon = capacity * 1e-12;
    for (int i = 0; i < 300; ++i) {
      // Remainders from a few windows to a million of them, whole bytes and (as the DRAM model books) not.
      const double windows = std::ldexp(1.0 + double(rng() % 1000) / 1000, int(rng() % 21));
      double remaining = std::floor(windows * capacity) + (i % 2 ? double(rng() % 1000) / 1024 : 0.0);
      if (remaining <= capacity) remaining = capacity * 2 + 1;
      const uint64_t limit = rng() % 4 ? ~uint64_t(0) : rng() % (uint64_t(windows) + 2);
      WindowRun want;
      double r = remaining;
      while (want.windows < limit && r > capacity) {
        const double next = r - capacity;
        ++want.windows;
        if (next <= epsilon) {
          want.drained = true;
          r = next;
          break;
        }
        r = next;
      }
      want.remaining = r;
      const WindowRun got = fill_empty_windows(remaining, capacity, epsilon, limit);
      INFO("capacity " << capacity << ", remaining " << remaining << ", limit " << limit);
      REQUIRE(got.windows == want.windows);
      REQUIRE(got.drained == want.drained);
      REQUIRE(got.remaining == want.remaining);
    }
  }
}

TEST_CASE("booker: a request starting past the ring is served at peak after it, in bounded memory",
          "[core]") {
  const double rate = 10e9;
  BandwidthBooker b(rate, sc_time(50, SC_NS));
  // 10 s ahead at 50 ns windows is 200 million windows, past the largest ring.
  const sc_time far(10, SC_SEC);
  const sc_time done = b.book_at(sc_core::SC_ZERO_TIME, far, 1 << 20);
  CHECK(done.to_seconds() == Approx(10 + (1 << 20) / rate).epsilon(1e-12));
  // A second one there is served after the first, never beside it.
  const sc_time next = b.book_at(sc_core::SC_ZERO_TIME, far, 1 << 20);
  CHECK(next.to_seconds() == Approx(10 + 2 * (1 << 20) / rate).epsilon(1e-12));
  // Nearer traffic still books its windows.
  const sc_time near = b.book_at(sc_core::SC_ZERO_TIME, sc_time(1, sc_core::SC_US), 5000);
  CHECK(near.to_seconds() == Approx(1e-6 + 5000 / rate).epsilon(1e-9));
  CHECK(b.ring_windows() <= 1024);
}

TEST_CASE("booker: a request larger than the ring fills it and goes on at peak past it", "[core]") {
  const double rate = 10e9;
  BandwidthBooker b(rate, sc_time(50, SC_NS));
  const uint64_t huge = uint64_t(1) << 40;  // 110 s at 10 GB/s: 2.2 billion windows
  const sc_time start(1, sc_core::SC_US);
  const sc_time end = b.book_at(sc_core::SC_ZERO_TIME, start, huge);
  CHECK(end.to_seconds() == Approx(1e-6 + double(huge) / rate).epsilon(1e-9));
  CHECK(b.ring_windows() <= BandwidthBooker::kMaxWindows);
  // Time moves on into the time reserved past the ring: its windows enter the ring full, and a request there
  // is served after it.
  const sc_time later(1, SC_SEC);
  const sc_time after = b.book_at(later, sc_core::SC_ZERO_TIME, 1000);
  CHECK((later + after).to_seconds() == Approx(end.to_seconds() + 1000 / rate).epsilon(1e-9));
  CHECK(b.ring_windows() <= BandwidthBooker::kMaxWindows);
}
