// Chip-to-chip link; see chip_link.h.
#include "models/interconnect/chip_link.h"

#include "models/core/link_transfer.h"

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

namespace {

const ParamSchema& chip_link_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"chip_link",
                  "chip-to-chip link between two devices: bandwidth per direction, latency, energy per bit",
                  {}};
    ParamSection top{"", "", instance_keys("chip_link")};
    for (ParamDecl d :
         {number("bandwidth_gbps", kRequired, Bound::positive(),
                 "effective bandwidth of each direction in GB/s"),
          number("booking_window_ns", "100", Bound::positive(),
                 "bandwidth booking window (smaller: closer to exact, more bookkeeping)"),
          number("latency_ns", kRequired, Bound::non_negative(), "one-way latency of a transfer"),
          number("energy_pj_per_bit", kRequired, Bound::non_negative(),
                 "energy per bit moved in either direction"),
          number("static_power_mw", kRequired, Bound::non_negative(), "idle power of the link (both ends)")})
      top.keys.push_back(d);
    x.sections.push_back(top);
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar chip_link_schema_registrar(&chip_link_schema);

}  // namespace

BandwidthBooker direction_booker(Params& p) {
  p.bind(chip_link_schema());
  const double bytes_per_s = p.get<double>("bandwidth_gbps") * 1e9;
  const double window_ns = p.get<double>("booking_window_ns");
  return BandwidthBooker(bytes_per_s, sc_time(window_ns, sc_core::SC_NS));
}

}  // namespace

const ParamSchema& chip_link_parameters() {
  return chip_link_schema();
}

ChipLink::ChipLink(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "chip_link"), target("target") {
  const BandwidthBooker booker = direction_booker(p);
  directions_ = {Direction{booker}, Direction{booker}};
  latency_ = sc_time(p.get<double>("latency_ns"), sc_core::SC_NS);
  j_per_byte_ = p.get<double>("energy_pj_per_bit") * 8e-12;
  static_w_ = p.get<double>("static_power_mw") * 1e-3;
  target.register_b_transport(this, &ChipLink::b_transport);
  expose_target("target", target, Protocol::link, false);
}

void ChipLink::join(const std::vector<uint32_t>& devices) {
  if (devices.size() == 2) ends_[0] = devices[0], ends_[1] = devices[1];
}

void ChipLink::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  auto* hop = trans.get_extension<LinkTransfer>();
  const bool forward = hop && hop->from_device == ends_[0] && hop->to_device == ends_[1];
  const bool back = hop && hop->from_device == ends_[1] && hop->to_device == ends_[0];
  if (!forward && !back) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t bytes = trans.get_data_length();
  Direction& d = directions_[forward ? 0 : 1];
  delay = d.booker.book(delay, bytes) + latency_;
  d.bytes += bytes;
  ++d.transfers;
  hop->energy_j = static_cast<double>(bytes) * j_per_byte_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

std::vector<LinkDirectionStats> ChipLink::directions() const {
  std::vector<LinkDirectionStats> out;
  for (int i = 0; i < 2; ++i) {
    const Direction& d = directions_[i];
    out.push_back({ends_[i], ends_[1 - i], d.bytes, d.transfers, d.booker.busy(), d.booker.bytes_per_s(),
                   static_cast<double>(d.bytes) * j_per_byte_});
  }
  return out;
}

ComponentStats ChipLink::stats(const sc_time& now) const {
  ComponentStats s;
  s.busy = std::max(directions_[0].booker.busy(), directions_[1].booker.busy());
  s.bytes_read = directions_[1].bytes;  // towards the first end
  s.bytes_written = directions_[0].bytes;
  s.requests = directions_[0].transfers + directions_[1].transfers;
  s.energy[EnergyKind::transfer] = static_cast<double>(s.bytes_read + s.bytes_written) * j_per_byte_;
  s.energy[EnergyKind::static_power] = static_w_ * now.to_seconds();
  return s;
}

LLMX_REGISTER_COMPONENT(
    ChipLink, "chip_link",
    "chip-to-chip link between two devices: bandwidth per direction, latency, energy per bit");

}  // namespace llmx
