// Switch between devices; see link_switch.h.
#include "models/interconnect/link_switch.h"

#include "models/core/link_transfer.h"

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

const ParamSchema& link_switch_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{
        "link_switch", "switch joining every device: a port link per device, switch latency and energy", {}};
    ParamSection top{"", "", instance_keys("link_switch")};
    for (ParamDecl d :
         {number("bandwidth_gbps", kRequired, Bound::positive(),
                 "effective bandwidth of each port direction in GB/s"),
          number("booking_window_ns", "100", Bound::positive(),
                 "bandwidth booking window (smaller: closer to exact, more bookkeeping)"),
          number("latency_ns", kRequired, Bound::non_negative(), "one-way latency of a port link"),
          number("energy_pj_per_bit", kRequired, Bound::non_negative(),
                 "energy per bit crossing a port link"),
          number("static_power_mw", kRequired, Bound::non_negative(),
                 "idle power of each port link (both ends)"),
          section("switch", true, "the switch's own latency, energy and power")})
      top.keys.push_back(d);
    x.sections.push_back(top);
    x.sections.push_back(
        {"switch",
         "",
         {number("latency_ns", kRequired, Bound::non_negative(), "latency through the switch"),
          number("energy_pj_per_bit", kRequired, Bound::non_negative(), "energy per bit switched"),
          number("static_power_mw", kRequired, Bound::non_negative(), "idle power of the switch chip")}});
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar link_switch_schema_registrar(&link_switch_schema);

}  // namespace

const ParamSchema& link_switch_parameters() {
  return link_switch_schema();
}

LinkSwitch::LinkSwitch(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "link_switch"), target("target") {
  p.bind(link_switch_schema());
  bytes_per_s_ = p.get<double>("bandwidth_gbps") * 1e9;
  window_ = sc_time(p.get<double>("booking_window_ns"), sc_core::SC_NS);
  link_latency_ = sc_time(p.get<double>("latency_ns"), sc_core::SC_NS);
  link_j_per_byte_ = p.get<double>("energy_pj_per_bit") * 8e-12;
  link_static_w_ = p.get<double>("static_power_mw") * 1e-3;
  Params sw = p.child("switch");
  switch_latency_ = sc_time(sw.get<double>("latency_ns"), sc_core::SC_NS);
  switch_j_per_byte_ = sw.get<double>("energy_pj_per_bit") * 8e-12;
  switch_static_w_ = sw.get<double>("static_power_mw") * 1e-3;
  target.register_b_transport(this, &LinkSwitch::b_transport);
  expose_target("target", target, Protocol::link, false);
}

void LinkSwitch::join(const std::vector<uint32_t>& devices) {
  ports_.clear();
  for (uint32_t d : devices)
    ports_.push_back(Port{d, BandwidthBooker(bytes_per_s_, window_), BandwidthBooker(bytes_per_s_, window_)});
}

LinkSwitch::Port* LinkSwitch::port_of(uint32_t device) {
  for (Port& p : ports_)
    if (p.device == device) return &p;
  return nullptr;
}

void LinkSwitch::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  auto* hop = trans.get_extension<LinkTransfer>();
  Port* from = hop ? port_of(hop->from_device) : nullptr;
  Port* to = hop ? port_of(hop->to_device) : nullptr;
  if (!from || !to || from == to) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const uint64_t bytes = trans.get_data_length();
  const sc_time through = link_latency_ + switch_latency_;
  const sc_time up_done = from->up.book(delay, bytes);
  const sc_time down_done = to->down.book(delay + through, bytes);
  delay = std::max(down_done, up_done + through) + link_latency_;
  from->up_bytes += bytes;
  to->down_bytes += bytes;
  ++from->up_transfers;
  ++to->down_transfers;
  bytes_ += bytes;
  ++transfers_;
  hop->energy_j = static_cast<double>(bytes) * (2 * link_j_per_byte_ + switch_j_per_byte_);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

std::vector<LinkDirectionStats> LinkSwitch::directions() const {
  std::vector<LinkDirectionStats> out;
  const double per_byte =
      link_j_per_byte_ + switch_j_per_byte_ / 2;  // the switch's share split over both ports
  for (const Port& p : ports_) {
    out.push_back({p.device, kSwitch, p.up_bytes, p.up_transfers, p.up.busy(), bytes_per_s_,
                   static_cast<double>(p.up_bytes) * per_byte});
    out.push_back({kSwitch, p.device, p.down_bytes, p.down_transfers, p.down.busy(), bytes_per_s_,
                   static_cast<double>(p.down_bytes) * per_byte});
  }
  return out;
}

ComponentStats LinkSwitch::stats(const sc_time& now) const {
  ComponentStats s;
  for (const Port& p : ports_) {
    s.busy = std::max({s.busy, p.up.busy(), p.down.busy()});
    s.bytes_written += p.up_bytes;
    s.bytes_read += p.down_bytes;
  }
  s.requests = transfers_;
  s.energy[EnergyKind::transfer] = static_cast<double>(bytes_) * (2 * link_j_per_byte_ + switch_j_per_byte_);
  s.energy[EnergyKind::static_power] =
      (link_static_w_ * static_cast<double>(ports_.size()) + switch_static_w_) * now.to_seconds();
  return s;
}

LLMX_REGISTER_COMPONENT(LinkSwitch, "link_switch",
                        "switch joining every device: a port link per device, switch latency and energy");

}  // namespace llmx
