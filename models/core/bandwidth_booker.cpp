// Windowed bandwidth booking; see bandwidth_booker.h.
#include "models/core/bandwidth_booker.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "models/core/float_bits.h"

namespace llmx {

namespace {

constexpr uint64_t kInitialWindows = 1024;

// The lower end of the binade [lo, 2 lo) that holds a positive normal x.
double binade_floor(double x) {
  const uint64_t b = bits_of(x) & ~((uint64_t(1) << 52) - 1);
  double lo;
  std::memcpy(&lo, &b, sizeof lo);
  return lo;
}

}  // namespace

WindowRun fill_empty_windows(double remaining, double capacity, double epsilon, uint64_t limit) {
  WindowRun run;
  double r = remaining;
  // r came out of a subtraction that kept its binade [lo, 2 lo): its significand then sits on the binade's
  // grid as every later one in that binade will (ties round to even), so each further subtraction whose
  // result stays above lo subtracts the same step, and n of them are one multiplication.
  bool settled = false;
  const bool short_run = r < 64 * capacity;
  while (run.windows < limit && r > capacity) {
    const double next = r - capacity;
    ++run.windows;
    if (next <= epsilon) {
      run.remaining = next;
      run.drained = true;
      return run;
    }
    if (short_run) {
      r = next;
      continue;
    }
    const double lo = binade_floor(r);
    const bool kept = next > lo;  // then next < r < 2 lo: the same binade
    if (kept && settled && lo > capacity) {
      const double step = r - next;  // exact (Sterbenz)
      const uint64_t most = limit - run.windows;
      uint64_t n = most;
      if (step > 0) {
        const double fit = std::floor((next - lo) / step);
        if (fit < static_cast<double>(n)) n = static_cast<uint64_t>(fit);
        // n * step is a multiple of the grid below 2 lo: the products and differences are exact.
        while (n > 0 && !(next - static_cast<double>(n) * step > lo)) --n;
        while (n < most && next - static_cast<double>(n + 1) * step > lo) ++n;
      }
      r = next - static_cast<double>(n) * step;
      run.windows += n;
      continue;
    }
    settled = kept;
    r = next;
  }
  run.remaining = r;
  return run;
}

BandwidthBooker::BandwidthBooker(double bytes_per_s, sc_core::sc_time window)
    : rate_(bytes_per_s),
      window_s_(window.to_seconds()),
      capacity_(bytes_per_s * window.to_seconds()),
      epsilon_(capacity_ * 1e-12),
      slots_(kInitialWindows),
      mask_(kInitialWindows - 1),
      runs_(16) {}

sc_core::sc_time BandwidthBooker::busy() const {
  return sc_core::sc_time(static_cast<double>(booked_) / rate_, sc_core::SC_SEC);
}

// Windows that lie wholly before the current simulation time can no longer be booked by anyone (every
// initiator's local time is at or after it): they leave the ring.
void BandwidthBooker::release(uint64_t now_window, uint64_t first_window) {
  if (base_ + 1 < now_window) base_ = std::min(now_window - 1, end_);
  if (base_ == end_) base_ = end_ = std::min(now_window, first_window);
  while (run_count_ > 0 && run(0).end <= base_) {
    run_head_ = (run_head_ + 1) & (runs_.size() - 1);
    --run_count_;
    if (run_hint_ > 0) --run_hint_;
  }
  if (tail_end_s_ > tail_begin_s_ && tail_end_s_ <= static_cast<double>(base_) * window_s_)
    tail_begin_s_ = tail_end_s_ = 0;
}

// Makes window w addressable, doubling the ring as needed; false when it lies past the largest ring.
bool BandwidthBooker::grow(uint64_t w) {
  if (w - base_ >= kMaxWindows) return false;
  uint64_t size = slots_.size();
  while (w - base_ >= size) size *= 2;
  std::vector<Slot> slots(size);
  for (uint64_t i = 0; i < slots_.size(); ++i) {
    const uint64_t x = slots_[i].window;
    if (x < base_ || x >= end_) continue;
    slots[x & (size - 1)] = slots_[i];
  }
  slots_.swap(slots);
  mask_ = size - 1;
  return true;
}

// Bytes of window w taken by what was served past an earlier ring's end.
double BandwidthBooker::reserved(uint64_t w) const {
  if (!(tail_end_s_ > tail_begin_s_)) return 0;
  const double lo = std::max(static_cast<double>(w) * window_s_, tail_begin_s_);
  const double hi = std::min(static_cast<double>(w + 1) * window_s_, tail_end_s_);
  return hi > lo ? std::min(capacity_, (hi - lo) / window_s_ * capacity_) : 0.0;
}

// The bytes booked in window w (addressable, in no run), whose slot then holds it. A window past end_ is
// known to be empty: its slot is written without being read (no wait for memory the ring has not touched
// lately).
double BandwidthBooker::touch(uint64_t w) {
  Slot& s = slot(w);
  if (w < end_ && s.window == w) return s.used;
  s.window = w;
  s.used = reserved(w);
  if (!(capacity_ - s.used > epsilon_)) link(w) = w + 1;
  end_ = std::max(end_, w + 1);
  return s.used;
}

// The run holding window w, or nullptr. Successive lookups mostly move forward a little (an initiator's
// requests come in time order): the search gallops from the run found last.
const BandwidthBooker::Run* BandwidthBooker::run_at(uint64_t w) const {
  size_t lo = 0, hi = run_count_;  // the first run that begins after w lies in [lo, hi]
  if (hi == 0) return nullptr;
  if (run(hi - 1).begin <= w) {  // most lookups are at the latest run or past it
    lo = hi;
  } else {
    const size_t h = std::min(run_hint_, hi - 1);
    if (run(h).begin <= w) {
      lo = h + 1;
      for (size_t step = 1; lo + step < hi && run(lo + step - 1).begin <= w; step *= 2) lo += step;
      hi = std::min(hi, lo + (lo - h));
    } else {
      hi = h;
    }
  }
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (run(mid).begin <= w)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == 0) return nullptr;
  run_hint_ = lo - 1;
  return w < run(lo - 1).end ? &run(lo - 1) : nullptr;
}

void BandwidthBooker::add_run(uint64_t begin, uint64_t end) {
  if (run_count_ > 0 && run(run_count_ - 1).end == begin) {
    runs_[(run_head_ + run_count_ - 1) & (runs_.size() - 1)].end = end;
    return;
  }
  if (run_count_ == runs_.size()) {
    std::vector<Run> runs(runs_.size() * 2);
    for (size_t i = 0; i < run_count_; ++i) runs[i] = run(i);
    runs_.swap(runs);
    run_head_ = 0;
  }
  runs_[(run_head_ + run_count_) & (runs_.size() - 1)] = {begin, end};
  ++run_count_;
}

// The first window at or after w that still has capacity (windows from end_ on are empty). The full windows
// passed on the way that have a slot are linked straight to it.
uint64_t BandwidthBooker::next_open_booked(uint64_t w) {
  constexpr int kRemembered = 16;
  uint64_t* passed[kRemembered];
  int n = 0;
  uint64_t open = w;
  while (open < end_) {
    Slot& s = slot(open);
    if (s.window == open) {
      if (capacity_ - s.used > epsilon_) break;
      if (n < kRemembered) passed[n++] = &link(open);
      open = link(open);
    } else if (const Run* r = run_at(open)) {
      open = r->end;
    } else {
      break;
    }
  }
  for (int i = 0; i < n; ++i) *passed[i] = open;
  return open;
}

// Past the largest ring: served at the peak rate after what was served there before.
double BandwidthBooker::beyond_ring(double from_s, double bytes) {
  const bool tail = tail_end_s_ > tail_begin_s_;
  if (!tail) tail_begin_s_ = from_s;
  tail_end_s_ = (tail ? std::max(from_s, tail_end_s_) : from_s) + bytes / rate_;
  return tail_end_s_;
}

// Fills the empty windows from w (== end_) in closed form, as far as the largest ring reaches. Returns when
// the request's last byte lands if it lands in them, else -1 (then `remaining` is what is left).
double BandwidthBooker::place_in_empty_run(uint64_t w, double& remaining) {
  const uint64_t reach = base_ + kMaxWindows - w;
  const double estimate = remaining / capacity_ + 2;
  const uint64_t last =
      w + (estimate < static_cast<double>(reach) ? static_cast<uint64_t>(estimate) : reach - 1);
  make_room(last);
  // The request most likely stops in the window before `last`: fetch its slot while the run is computed.
  __builtin_prefetch(&slot(last - 2));
  __builtin_prefetch(&slot(last - 1));
  // Each window then holds 0 + capacity, as the window-by-window loop leaves it.
  const WindowRun run = fill_empty_windows(remaining, capacity_, epsilon_, base_ + slots_.size() - w);
  add_run(w, w + run.windows);
  end_ = w + run.windows;
  remaining = run.remaining;
  // A drained run ends in its last window, filled: the request's last byte lands at that window's end.
  return run.drained ? static_cast<double>(end_ - 1) * window_s_ + window_s_ : -1.0;
}

// first_free_ moves over the windows that are full (by the test the skip was defined with).
void BandwidthBooker::advance_first_free() {
  while (first_free_ < end_) {
    const Slot& s = slot(first_free_);
    if (s.window == first_free_) {
      if (!(s.used >= capacity_ - epsilon_)) return;
      ++first_free_;
    } else if (const Run* r = run_at(first_free_)) {
      first_free_ = r->end;
    } else if (reserved(first_free_) >= capacity_ - epsilon_) {
      ++first_free_;
    } else {
      return;
    }
  }
}

double BandwidthBooker::book_seconds(double now_s, double t0, uint64_t bytes) {
  booked_ += bytes;
  const auto first_window = static_cast<uint64_t>(t0 / window_s_);
  release(static_cast<uint64_t>(now_s / window_s_), first_window);

  uint64_t w = std::max(first_window, base_);
  first_free_ = std::max(first_free_, base_);
  // Only the part of the first window after the request's start can serve it. Windows before first_free_
  // are full: a request starting there is served from first_free_ on.
  bool first = w >= first_free_;
  if (!first) w = first_free_;
  double remaining = static_cast<double>(bytes);
  double finish = t0;
  while (true) {
    const uint64_t open = next_open(w);
    if (open != w) first = false;
    w = open;
    if (!make_room(w)) {
      finish = beyond_ring(std::max(t0, static_cast<double>(w) * window_s_), remaining);
      break;
    }
    const bool tail_ahead = tail_end_s_ > tail_begin_s_ && static_cast<double>(w) * window_s_ < tail_end_s_;
    if (w == end_ && !first && remaining > capacity_ && !tail_ahead) {
      finish = place_in_empty_run(w, remaining);
      if (finish >= 0) break;
      w = end_;
      continue;
    }
    double used = touch(w);
    double available = capacity_ - used;
    const double window_start = static_cast<double>(w) * window_s_;
    if (first) {
      const double left = std::max(0.0, (window_start + window_s_ - t0) / window_s_) * capacity_;
      available = std::min(available, left);
    }
    if (available > epsilon_) {
      const double take = std::min(available, remaining);
      used += take;
      slot(w).used = used;
      remaining -= take;
      if (!(capacity_ - used > epsilon_)) link(w) = w + 1;
      if (remaining <= epsilon_) {
        finish = window_start + std::min(1.0, used / capacity_) * window_s_;
        break;
      }
    }
    first = false;
    ++w;
  }
  advance_first_free();
  // Never earlier than the start plus the time the bytes need at peak rate.
  return std::max(finish, t0 + static_cast<double>(bytes) / rate_);
}

}  // namespace llmx
