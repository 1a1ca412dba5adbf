// Multi-channel DRAM driver with Ramulator- and DRAMSys-style injection (see memory_system.h).
// Left out: interconnect latency between the initiator and the controllers.
#include "models/memory/dram/memory_system.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <deque>
#include <queue>

#include "models/core/error.h"

namespace llmx::dram {

namespace {
constexpr int64_t kNever = INT64_MAX / 4;
int log2i(int64_t v) {
  int n = 0;
  while ((int64_t(1) << n) < v) ++n;
  return n;
}
}  // namespace

DramEnergy& DramEnergy::operator+=(const DramEnergy& o) {
  act_pre += o.act_pre;
  read_array += o.read_array;
  write_array += o.write_array;
  io += o.io;
  refresh += o.refresh;
  background += o.background;
  return *this;
}

DramEnergy energy_of(const ChannelCounters& c, const DramSpec& s, double elapsed_s, EnergyBound bound) {
  const double pj = 1e-12;
  const double bits = s.org.tx_bytes() * 8.0;
  const OpEnergy& e = s.energy.at(bound);
  DramEnergy d;
  d.act_pre = double(c.activates) * e.act_pre_pj * pj;
  d.read_array = double(c.reads) * bits * e.read_array_pj_per_bit * pj;
  d.write_array = double(c.writes) * bits * e.write_array_pj_per_bit * pj;
  d.io = (double(c.reads) * e.io_read_pj_per_bit + double(c.writes) * e.io_write_pj_per_bit) * bits * pj;
  d.refresh = (double(c.refresh_ab) * e.refresh_ab_pj + double(c.refresh_pb) * e.refresh_pb_pj) * pj;
  // Active standby while a pseudo-channel holds an open bank or refreshes, precharge standby otherwise
  // (averaged over the pseudo-channels, whose standby powers are equal).
  const double active_s = std::clamp(double(c.active_ticks) * s.tick_ns() * 1e-9 / s.org.pseudo_channels, 0.0,
                                     std::max(0.0, elapsed_s));
  d.background =
      (e.background_active_mw * active_s + e.background_idle_mw * (std::max(0.0, elapsed_s) - active_s)) *
      1e-3;
  return d;
}

std::vector<int> MemorySystem::interleave_bits(int channels, uint64_t interleave_bytes) {
  std::vector<int> bits;
  const int base = log2i(int64_t(interleave_bytes));
  for (int i = 0; i < log2i(channels); ++i) bits.push_back(base + i);
  return bits;
}

MemorySystem::MemorySystem(const DramSpec& spec, int channels, std::vector<int> channel_bits,
                           InjectionModel injection)
    : spec_(spec), channel_bits_(std::move(channel_bits)), inj_(injection) {
  if (channels < 1 || (channels & (channels - 1)))
    throw Error(cat("memory system: channel count must be a power of two, got ", channels));
  if ((1 << channel_bits_.size()) != channels)
    throw Error(cat("memory system: ", channels, " channels need ", log2i(channels), " channel bits, got ",
                    channel_bits_.size()));
  for (int b : channel_bits_) channel_mask_ |= uint64_t(1) << b;
  for (int i = 0; i < channels; ++i) ctrl_.push_back(std::make_unique<ChannelController>(spec_));
}

int MemorySystem::channel_of(uint64_t addr) const {
  int ch = 0;
  for (size_t i = 0; i < channel_bits_.size(); ++i) ch |= int((addr >> channel_bits_[i]) & 1) << i;
  return ch;
}

uint64_t MemorySystem::local_address(uint64_t addr) const {
  if (!channel_mask_) return addr;
  uint64_t out = 0;
  int k = 0;
  for (int i = 0; i < 64; ++i) {
    if (channel_mask_ & (uint64_t(1) << i)) continue;
    out |= ((addr >> i) & 1) << k;
    ++k;
  }
  return out;
}

SystemResult MemorySystem::run(const std::function<bool(Access&)>& next) {
  const double tick_ns = spec_.tick_ns();
  const uint64_t tx = uint64_t(spec_.org.tx_bytes());
  struct Pending {
    int64_t arrive = 0;
    int64_t data_end = 0;
    int remaining = 0;
    bool is_write = false;
    bool injected_all = false;
  };
  std::deque<Pending> pend;  // accesses from `base` on, in stream order
  uint64_t base = 0;         // stream index of pend.front()
  struct Sub {
    uint64_t local;
    int ch;
    bool w;
    uint64_t access;
  };
  std::deque<Sub> subs;                                // bursts of the current access not yet injected
  std::vector<std::deque<Sub>> arbiter(ctrl_.size());  // per-channel queues (channel_queues)
  uint64_t n_access = 0;
  bool exhausted = false;
  bool fresh = false;  // the access in `subs` has not started injecting
  int64_t next_not_before = 0;
  int64_t in_flight = 0;
  int64_t last_completion = 0;  // in-order response time of the last retired access
  // In-order bookkeeping only where responses must leave in request order (in_flight + in_order_responses);
  // otherwise each access completes when its last burst does.
  const bool in_order = inj_.kind == InjectionModel::Kind::in_flight && inj_.in_order_responses;
  std::priority_queue<int64_t, std::vector<int64_t>, std::greater<int64_t>> frees;  // slot release ticks

  std::vector<float> read_lat;
  int64_t last_end = 0;
  SystemResult res;
  res.peak_gbps = spec_.peak_bytes_per_s() * channels() / 1e9;

  for (auto& c : ctrl_) {
    c->set_completion([&](uint64_t id, int64_t done, bool) {
      Pending& p = pend[size_t(id - base)];
      p.data_end = std::max(p.data_end, done);
      if (--p.remaining == 0 && !in_order) {
        last_end = std::max(last_end, p.data_end);
        if (!p.is_write) read_lat.push_back(float(double(p.data_end - p.arrive) * tick_ns));
        if (inj_.kind == InjectionModel::Kind::in_flight) frees.push(p.data_end);
      }
    });
  }

  auto fetch = [&]() -> bool {
    if (!subs.empty()) return true;
    if (exhausted) return false;
    Access a;
    if (!next(a)) {
      exhausted = true;
      return false;
    }
    const uint64_t first = a.addr / tx * tx;
    const uint64_t end = a.addr + std::max<uint32_t>(a.bytes, 1);
    Pending p;
    p.is_write = a.is_write;
    for (uint64_t x = first; x < end; x += tx) {
      subs.push_back({local_address(x), channel_of(x), a.is_write, n_access});
      ++p.remaining;
    }
    pend.push_back(p);
    fresh = true;
    ++n_access;
    res.accesses++;
    (a.is_write ? res.bytes_written : res.bytes_read) += uint64_t(a.bytes);
    next_not_before = int64_t(std::ceil(a.not_before_ns / tick_ns - 1e-9));
    return true;
  };

  // Retires finished accesses from the front, up to tick `now`; with in-order responses this is where
  // latency is measured and in-flight slots are freed, otherwise it only drops bookkeeping.
  auto retire = [&](int64_t now) {
    while (!frees.empty() && frees.top() <= now) {
      frees.pop();
      --in_flight;
    }
    while (!pend.empty()) {
      Pending& p = pend.front();
      if (p.remaining > 0 || !p.injected_all) break;
      if (in_order) {
        int64_t done = p.data_end;
        if (inj_.kind == InjectionModel::Kind::in_flight && inj_.in_order_responses)
          done = std::max(done, last_completion);
        if (done > now) break;
        last_completion = done;
        last_end = std::max(last_end, done);
        if (!p.is_write) read_lat.push_back(float(double(done - p.arrive) * tick_ns));
        if (inj_.kind == InjectionModel::Kind::in_flight) --in_flight;
      }
      pend.pop_front();
      ++base;
    }
  };

  int64_t now = 0;
  bool blocked = false;
  while (true) {
    // 1. Injection (after freeing the slots of accesses that completed by now).
    retire(now);
    blocked = false;
    int offered = 0;
    const bool offer_round =
        inj_.kind != InjectionModel::Kind::offer_per_tick || now % inj_.offer_interval_ticks == 0;
    while (offer_round && fetch()) {
      if (next_not_before > now) break;
      Sub& s = subs.front();
      if (inj_.kind == InjectionModel::Kind::offer_per_tick) {
        if (offered >= inj_.limit) break;
        ++offered;
      }
      const bool first_of_access = fresh;
      if (inj_.kind == InjectionModel::Kind::in_flight && first_of_access && in_flight >= inj_.limit) {
        blocked = true;
        break;
      }
      ChannelController& c = *ctrl_[s.ch];
      if (!inj_.channel_queues && !c.can_accept(s.local, s.w)) {
        blocked = true;
        break;
      }
      Pending& p = pend[size_t(s.access - base)];
      if (first_of_access) {
        fresh = false;
        // Ramulator counts arrival at the controller clock before the tick that can first schedule it.
        p.arrive = inj_.kind == InjectionModel::Kind::offer_per_tick ? now - 1 : now;
        if (inj_.kind == InjectionModel::Kind::in_flight) ++in_flight;
      }
      if (inj_.channel_queues)
        arbiter[size_t(s.ch)].push_back(s);
      else
        c.enqueue(s.access, s.local, s.w, now);
      subs.pop_front();
      if (subs.empty()) p.injected_all = true;
    }
    // Arbiter queues feed their controllers in order while the controller accepts.
    if (inj_.channel_queues) {
      for (size_t ch = 0; ch < ctrl_.size(); ++ch) {
        auto& q = arbiter[ch];
        while (!q.empty() && ctrl_[ch]->can_accept(q.front().local, q.front().w)) {
          ctrl_[ch]->enqueue(q.front().access, q.front().local, q.front().w, now);
          q.pop_front();
        }
      }
    }
    // 2. Controllers.
    int64_t wake = kNever;
    for (auto& c : ctrl_) {
      if (c->next_wake() <= now) c->tick(now);
      wake = std::min(wake, c->next_wake());
    }
    retire(now);
    // 3. Next tick of interest.
    const bool more = !subs.empty() || !exhausted;
    if (!more && pend.empty()) break;
    int64_t nxt = kNever;
    bool any_live = false;
    for (auto& c : ctrl_) any_live |= !c->idle();
    if (any_live) nxt = wake;
    if (more) {
      int64_t offer = std::max(now + 1, next_not_before);
      if (!blocked && inj_.kind == InjectionModel::Kind::offer_per_tick) {
        const int64_t k = inj_.offer_interval_ticks;
        offer = (offer + k - 1) / k * k;
      }
      if (!blocked)
        nxt = std::min(nxt, offer);
      else if (next_not_before > now)
        nxt = std::min(nxt, next_not_before);
    }
    if (!frees.empty()) nxt = std::min(nxt, std::max(now + 1, frees.top()));
    if (in_order && !pend.empty()) {
      const Pending& p = pend.front();
      if (p.remaining == 0 && p.injected_all) {
        int64_t done = p.data_end;
        if (inj_.kind == InjectionModel::Kind::in_flight && inj_.in_order_responses)
          done = std::max(done, last_completion);
        nxt = std::min(nxt, std::max(now + 1, done));
      }
    }
    if (nxt >= kNever) throw Error("memory system: stalled with requests outstanding (internal error)");
    now = std::max(now + 1, nxt);
  }

  res.elapsed_ns = double(last_end) * tick_ns;
  const double bytes = double(res.bytes_read + res.bytes_written);
  res.bandwidth_gbps = res.elapsed_ns > 0 ? bytes / res.elapsed_ns : 0;
  for (auto& c : ctrl_) {
    const auto k = c->counters_at(int64_t(std::ceil(res.elapsed_ns / spec_.tick_ns())));
    auto& t = res.counters;
    t.reads += k.reads;
    t.writes += k.writes;
    t.activates += k.activates;
    t.precharges += k.precharges;
    t.refresh_ab += k.refresh_ab;
    t.refresh_pb += k.refresh_pb;
    t.row_hits += k.row_hits;
    t.row_misses += k.row_misses;
    t.row_conflicts += k.row_conflicts;
    t.cas_syncs += k.cas_syncs;
    t.active_ticks += k.active_ticks;
    const DramEnergy ke = energy_of(k, spec_, res.elapsed_ns * 1e-9, EnergyBound::typical);
    const DramEnergy km = energy_of(k, spec_, res.elapsed_ns * 1e-9, EnergyBound::maximum);
    res.energy += ke;
    res.energy_max += km;
    res.per_channel.push_back({k, ke, km});
  }
  res.row_hit_rate = res.counters.row_hit_rate();
  if (!read_lat.empty()) {
    double sum = 0;
    for (float v : read_lat) sum += v;
    res.mean_read_latency_ns = sum / double(read_lat.size());
    auto pct = [&](double q) {
      size_t k = size_t(q * double(read_lat.size() - 1));
      std::nth_element(read_lat.begin(), read_lat.begin() + long(k), read_lat.end());
      return double(read_lat[k]);
    };
    res.p50_read_latency_ns = pct(0.50);
    res.p99_read_latency_ns = pct(0.99);
  }
  return res;
}

}  // namespace llmx::dram
