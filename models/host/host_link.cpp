// Host link; see host_link.h.
#include "models/host/host_link.h"

namespace llmx {

using sc_core::sc_time;

double HostLink::bandwidth(Params& p) {
  return p.required<double>("bandwidth_gbps", "effective bandwidth per direction in GB/s", Bound::positive()) * 1e9;
}

HostLink::HostLink(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "host_link"),
      target("target"),
      to_device_(bandwidth(p), sc_time(1, sc_core::SC_US)),
      to_host_(to_device_.bytes_per_s(), sc_time(1, sc_core::SC_US)) {
  latency_ = sc_time(p.required<double>("latency_ns", "one-way latency", Bound::non_negative()), sc_core::SC_NS);
  j_per_byte_ = p.required<double>("energy_pj_per_bit", "energy per bit transferred", Bound::non_negative()) * 8e-12;
  static_w_ = p.required<double>("static_power_mw", "idle power of the link", Bound::non_negative()) * 1e-3;
  target.register_b_transport(this, &HostLink::b_transport);
  expose_target("target", target, Protocol::host, false);
}

void HostLink::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t bytes = trans.get_data_length();
  const bool to_device = trans.is_write();
  delay = (to_device ? to_device_ : to_host_).book(delay, bytes) + latency_;
  (to_device ? bytes_in_ : bytes_out_) += bytes;
  ++requests_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

ComponentStats HostLink::stats(const sc_time& now) const {
  ComponentStats s;
  s.busy = std::max(to_device_.busy(), to_host_.busy());
  s.bytes_read = bytes_out_;  // served to the host
  s.bytes_written = bytes_in_;
  s.requests = requests_;
  s.energy[EnergyKind::transfer] = static_cast<double>(bytes_in_ + bytes_out_) * j_per_byte_;
  s.energy[EnergyKind::static_power] = static_w_ * now.to_seconds();
  s.extra.emplace_back("peak_gbps", to_device_.bytes_per_s() / 1e9);  // per direction
  return s;
}

LLMX_REGISTER_COMPONENT(HostLink, "host_link", "host link (PCIe/CXL): bandwidth per direction, latency, energy per bit");

}  // namespace llmx
