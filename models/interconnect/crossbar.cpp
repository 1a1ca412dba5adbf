// Crossbar with channel interleaving; see crossbar.h.
#include "models/interconnect/crossbar.h"

#include <algorithm>

#include "models/core/error.h"

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

const ParamSchema& crossbar_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"crossbar", "crossbar interconnect with address interleaving across channels", {}};
    ParamSection top{"", "", instance_keys("crossbar")};
    for (ParamDecl d :
         {integer("interleave_bytes", kRequired, Bound::at_least(32),
                  "bytes per channel before moving to the next (a power of two)"),
          number("link_bandwidth_gbps", kRequired, Bound::positive(), "bandwidth of each port's link"),
          integer("hops", "1", Bound::range(1, 64), "router hops per traversal"),
          number("hop_latency_ns", kRequired, Bound::non_negative(), "latency per hop"),
          with_unit(number("energy_pj_per_bit_per_hop", kRequired, Bound::non_negative(), "transport energy"),
                    "pJ/bit/hop"),
          number("static_power_mw", kRequired, Bound::non_negative(), "leakage and clock power"),
          number("booking_window_ns", "50", Bound::positive(), "bandwidth booking window")})
      top.keys.push_back(d);
    x.sections.push_back(top);
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar crossbar_schema_registrar(&crossbar_schema);

}  // namespace

Crossbar::Crossbar(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "crossbar"), in("in"), out("out") {
  p.bind(crossbar_schema());
  interleave_ = p.get<uint64_t>("interleave_bytes");
  if (interleave_ & (interleave_ - 1)) p.fail("interleave_bytes", "must be a power of two");
  link_bytes_per_s_ = p.get<double>("link_bandwidth_gbps") * 1e9;
  hops_ = p.get<int>("hops");
  hop_latency_ = sc_time(p.get<double>("hop_latency_ns"), sc_core::SC_NS);
  hops_latency_ = hop_latency_ * hops_;
  j_per_byte_hop_ = p.get<double>("energy_pj_per_bit_per_hop") * 8e-12;
  static_w_ = p.get<double>("static_power_mw") * 1e-3;
  window_ = sc_time(p.get<double>("booking_window_ns"), sc_core::SC_NS);
  in.register_b_transport(this, &Crossbar::b_transport);
  expose_target("in", in, Protocol::memory, true);
  expose_initiator("out", out, Protocol::memory, true);
}

void Crossbar::end_of_elaboration() {
  for (unsigned i = 0; i < in.size(); ++i) in_links_.push_back(std::make_unique<BandwidthBooker>(link_bytes_per_s_, window_));
  for (unsigned i = 0; i < out.size(); ++i) {
    out_links_.push_back(std::make_unique<BandwidthBooker>(link_bytes_per_s_, window_));
    const double peak = i < out_peaks_.size() ? out_peaks_[i] : 0.0;
    out_booked_.push_back(!(peak > 0 && link_bytes_per_s_ >= peak));
  }
}

void Crossbar::bound_to(const std::string& socket, Component& peer) {
  if (socket != "out") return;
  const auto* memory = dynamic_cast<const MemoryDevice*>(&peer);
  out_peaks_.push_back(memory ? memory->peak_bandwidth_bytes_per_s() : 0.0);
}

Crossbar::Slicer::Slicer(uint64_t address, uint64_t bytes, uint64_t g, uint64_t channels)
    : channels_(channels), shift_(__builtin_ctzll(g)), empty_(bytes == 0) {
  if (empty_) return;
  k0_ = address >> shift_;
  k1_ = (address + bytes - 1) >> shift_;
  q0_ = k0_ / channels;
  r0_ = k0_ - q0_ * channels;
  q1_ = k1_ / channels;
  r1_ = k1_ - q1_ * channels;
  head_ = address & (g - 1);
  tail_ = ((address + bytes - 1) & (g - 1)) + 1;
}

// The first chunk at or after k0 on channel c and the last at or before k1, with their chunk rows
// (chunk / channels), from the remainders of k0 and k1.
Crossbar::Slice Crossbar::Slicer::of(uint64_t c) const {
  if (empty_) return {};
  const uint64_t first = c >= r0_ ? k0_ + (c - r0_) : k0_ + (channels_ - r0_) + c;
  if (first > k1_) return {};
  const uint64_t first_row = c >= r0_ ? q0_ : q0_ + 1;
  const uint64_t last = c <= r1_ ? k1_ - (r1_ - c) : k1_ - (channels_ + r1_ - c);
  const uint64_t last_row = c <= r1_ ? q1_ : q1_ - 1;
  const uint64_t begin = (first_row << shift_) + (first == k0_ ? head_ : 0);
  const uint64_t end = (last_row << shift_) + (last == k1_ ? tail_ : uint64_t(1) << shift_);
  return {begin, end - begin};
}

Crossbar::Slice Crossbar::slice(uint64_t address, uint64_t bytes, uint64_t g, uint64_t channels, uint64_t c) {
  return Slicer(address, bytes, g, channels).of(c);
}

void Crossbar::b_transport(int port, tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t address = trans.get_address();
  const uint64_t bytes = trans.get_data_length();
  const uint64_t channels = out.size();
  const sc_time start = delay;
  const sc_time arrive = start + hops_latency_;
  sc_time done = in_links_[port]->book(start, bytes) + hops_latency_;

  const Slicer slicer(address, bytes, interleave_, channels);
  for (uint64_t c = 0; c < channels; ++c) {
    const Slice s = slicer.of(c);
    if (s.bytes == 0) continue;
    // Timing-only payloads: copy the fields, never the (scratch) data.
    forward_.set_command(trans.get_command());
    forward_.set_data_ptr(trans.get_data_ptr());
    forward_.set_byte_enable_ptr(nullptr);
    forward_.set_dmi_allowed(false);
    forward_.set_address(s.local_address);
    forward_.set_data_length(static_cast<unsigned int>(s.bytes));
    forward_.set_streaming_width(static_cast<unsigned int>(s.bytes));
    forward_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time t = arrive;
    out[static_cast<int>(c)]->b_transport(forward_, t);
    if (forward_.is_response_error()) {
      trans.set_response_status(forward_.get_response_status());
      return;
    }
    if (out_booked_[c]) {
      done = std::max({done, t, out_links_[c]->book(start, s.bytes) + hops_latency_});
    } else {
      out_links_[c]->count_unbooked(s.bytes);
      done = std::max(done, t);
    }
  }
  (trans.is_write() ? bytes_written_ : bytes_read_) += bytes;
  ++requests_;
  delay = done;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

ComponentStats Crossbar::stats(const sc_time& now) const {
  ComponentStats s;
  sc_time busy = sc_core::SC_ZERO_TIME;
  for (const auto& l : out_links_) busy = std::max(busy, l->busy());
  s.busy = busy;
  s.bytes_read = bytes_read_;
  s.bytes_written = bytes_written_;
  s.requests = requests_;
  s.energy[EnergyKind::transfer] = static_cast<double>(bytes_read_ + bytes_written_) * j_per_byte_hop_ * hops_;
  s.energy[EnergyKind::static_power] = static_w_ * now.to_seconds();
  return s;
}

LLMX_REGISTER_COMPONENT(Crossbar, "crossbar", "crossbar interconnect with address interleaving across channels");

}  // namespace llmx
