// Windowed bandwidth booking; see bandwidth_booker.h.
#include "models/core/bandwidth_booker.h"

#include <algorithm>
#include <cmath>

namespace llmx {

BandwidthBooker::BandwidthBooker(double bytes_per_s, sc_core::sc_time window)
    : rate_(bytes_per_s), window_s_(window.to_seconds()), capacity_(bytes_per_s * window.to_seconds()) {}

sc_core::sc_time BandwidthBooker::busy() const {
  return sc_core::sc_time(static_cast<double>(booked_) / rate_, sc_core::SC_SEC);
}

sc_core::sc_time BandwidthBooker::book(const sc_core::sc_time& delay, uint64_t bytes) {
  booked_ += bytes;
  if (bytes == 0) return delay;
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const double t0 = (now + delay).to_seconds();  // absolute start

  // Windows that lie wholly before the current simulation time can no longer be booked by anyone
  // (every initiator's local time is at or after it): drop them.
  const auto now_window = static_cast<uint64_t>(now.to_seconds() / window_s_);
  while (!used_.empty() && base_ + 1 < now_window) {
    used_.pop_front();
    ++base_;
  }
  if (used_.empty()) base_ = std::min(now_window, static_cast<uint64_t>(t0 / window_s_));

  uint64_t w = static_cast<uint64_t>(t0 / window_s_);
  if (w < base_) w = base_;  // a request older than the kept history starts at the oldest kept window
  first_free_ = std::max(first_free_, base_);
  // Windows before first_free_ are full: a request starting there is served from first_free_ on. (Without this
  // skip, many requests booked at one start time would each walk all the windows the others filled.)
  const bool skipped = w < first_free_;
  if (skipped) w = first_free_;
  double remaining = static_cast<double>(bytes);
  bool first = true;
  double finish = t0;
  // Tolerance for floating-point residue when a window is filled exactly.
  const double epsilon = capacity_ * 1e-12;
  while (true) {
    if (w - base_ >= used_.size()) used_.resize(w - base_ + 1, 0.0);
    double& used = used_[w - base_];
    double available = capacity_ - used;
    const double window_start = static_cast<double>(w) * window_s_;
    if (first && !skipped) {
      // Only the part of the first window after the request's start can serve it.
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
  while (first_free_ - base_ < used_.size() && used_[first_free_ - base_] >= capacity_ - epsilon) ++first_free_;
  // Never earlier than the start plus the time the bytes need at peak rate.
  finish = std::max(finish, t0 + static_cast<double>(bytes) / rate_);
  return sc_core::sc_time(finish, sc_core::SC_SEC) - now;
}

}  // namespace llmx
