// System-level cache slice; see system_cache.h.
#include "models/memory/system_cache.h"

#include <algorithm>

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {
namespace {

const ParamSchema& system_cache_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"system_cache",
                  "system-level cache slice in front of one memory channel (LRU hit rate from the stream)",
                  {}};
    ParamSection top{"", "", instance_keys("system_cache")};
    for (ParamDecl d :
         {number("bandwidth_gbps", kRequired, Bound::positive(),
                 "bandwidth of the slice for hits and fills, GB/s"),
          number("booking_window_ns", "50", Bound::positive(), "bandwidth booking window"),
          number("capacity_kib", kRequired, Bound::positive(), "capacity of this slice"),
          integer("block_bytes", "4096", Bound::range(64, 1 << 20),
                  "granularity of the LRU (bytes, power of two)"),
          number("latency_ns", kRequired, Bound::non_negative(),
                 "lookup latency (hit: data returned; miss: added before the channel access)"),
          number("read_energy_pj_per_bit", kRequired, Bound::non_negative(), "energy per bit read on a hit"),
          number("write_energy_pj_per_bit", kRequired, Bound::non_negative(),
                 "energy per bit filled or written"),
          number("leakage_power_mw", kRequired, Bound::non_negative(), "leakage power of the slice")})
      top.keys.push_back(d);
    x.sections.push_back(top);
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar system_cache_schema_registrar(&system_cache_schema);

}  // namespace

BandwidthBooker make_booker(Params& p) {
  p.bind(system_cache_schema());
  const double bytes_per_s = p.get<double>("bandwidth_gbps") * 1e9;
  const double window_ns = p.get<double>("booking_window_ns");
  return BandwidthBooker(bytes_per_s, sc_time(window_ns, sc_core::SC_NS));
}
}  // namespace

SystemCache::SystemCache(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "system_cache"), target("target"), mem("mem"), booker_(make_booker(p)) {
  const double capacity = p.get<double>("capacity_kib") * 1024;
  block_bytes_ = p.get<uint64_t>("block_bytes");
  if (block_bytes_ & (block_bytes_ - 1)) p.fail("block_bytes", "must be a power of two");
  blocks_ = static_cast<uint64_t>(capacity) / block_bytes_;
  if (blocks_ == 0) p.fail("capacity_kib", "smaller than one block");
  latency_ = sc_time(p.get<double>("latency_ns"), sc_core::SC_NS);
  read_j_per_byte_ = p.get<double>("read_energy_pj_per_bit") * 8e-12;
  write_j_per_byte_ = p.get<double>("write_energy_pj_per_bit") * 8e-12;
  leakage_w_ = p.get<double>("leakage_power_mw") * 1e-3;
  target.register_b_transport(this, &SystemCache::b_transport);
  expose_target("target", target, Protocol::memory, false);
  expose_initiator("mem", mem, Protocol::memory, false);
}

std::vector<SystemCache::Range> SystemCache::lookup(uint64_t address, uint64_t bytes) {
  std::vector<Range> missed;
  const uint64_t first = address / block_bytes_, last = (address + bytes - 1) / block_bytes_;
  for (uint64_t b = first; b <= last; ++b) {
    const uint64_t lo = std::max(address, b * block_bytes_);
    const uint64_t hi = std::min(address + bytes, (b + 1) * block_bytes_);
    const auto it = where_.find(b);
    if (it != where_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      continue;
    }
    if (!missed.empty() && missed.back().address + missed.back().bytes == lo)
      missed.back().bytes += hi - lo;
    else
      missed.push_back({lo, hi - lo});
    if (where_.size() == blocks_) {
      where_.erase(lru_.back());
      lru_.pop_back();
    }
    lru_.push_front(b);
    where_[b] = lru_.begin();
  }
  return missed;
}

sc_time SystemCache::forward(tlm::tlm_command command, const Range& range, const sc_time& start) {
  forward_.set_command(command);
  forward_.set_address(range.address);
  forward_.set_data_ptr(scratch_data());
  forward_.set_data_length(static_cast<unsigned int>(range.bytes));
  forward_.set_streaming_width(static_cast<unsigned int>(range.bytes));
  forward_.set_byte_enable_ptr(nullptr);
  forward_.set_dmi_allowed(false);
  forward_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_time t = start;
  mem->b_transport(forward_, t);
  return t;
}

void SystemCache::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t address = trans.get_address(), bytes = trans.get_data_length();
  ++requests_;
  const sc_time start = delay, looked_up = delay + latency_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
  const std::vector<Range> missed = lookup(address, bytes);
  if (trans.is_write()) {
    written_bytes_ += bytes;
    booker_.book(start, bytes);
    delay = forward(tlm::TLM_WRITE_COMMAND, {address, bytes}, looked_up);
    trans.set_response_status(forward_.get_response_status());
    return;
  }
  uint64_t miss = 0;
  for (const Range& r : missed) miss += r.bytes;
  hit_bytes_ += bytes - miss;
  miss_bytes_ += miss;
  // Hits stream from the slice; missed runs come from the channel, and are filled into the slice as they pass.
  sc_time done = bytes > miss ? booker_.book(start, bytes - miss) + latency_ : start;
  if (miss > 0) booker_.book(looked_up, miss);
  for (const Range& r : missed) {
    done = std::max(done, forward(tlm::TLM_READ_COMMAND, r, looked_up));
    if (forward_.is_response_error()) {
      trans.set_response_status(forward_.get_response_status());
      return;
    }
  }
  delay = done;
}

ComponentStats SystemCache::stats(const sc_time& now) const {
  ComponentStats s;
  s.busy = booker_.busy();
  s.bytes_read = hit_bytes_ + miss_bytes_;
  s.bytes_written = written_bytes_;
  s.requests = requests_;
  s.energy[EnergyKind::read_array] = static_cast<double>(hit_bytes_) * read_j_per_byte_;
  s.energy[EnergyKind::write_array] = static_cast<double>(miss_bytes_ + written_bytes_) * write_j_per_byte_;
  s.energy[EnergyKind::static_power] = leakage_w_ * now.to_seconds();
  const double reads = static_cast<double>(hit_bytes_ + miss_bytes_);
  s.extra.emplace_back("hit_bytes", static_cast<double>(hit_bytes_));
  s.extra.emplace_back("miss_bytes", static_cast<double>(miss_bytes_));
  s.extra.emplace_back("read_hit_rate", reads > 0 ? static_cast<double>(hit_bytes_) / reads : 0.0);
  return s;
}

LLMX_REGISTER_COMPONENT(SystemCache, "system_cache",
                        "system-level cache slice in front of one memory channel (LRU hit rate from the stream)");

}  // namespace llmx
