// Host link; see host_link.h.
#include "models/host/host_link.h"

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

const ParamSchema& host_link_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"host_link", "host link (PCIe/CXL): bandwidth per direction, latency, energy per bit", {}};
    ParamSection top{"", "", instance_keys("host_link")};
    for (ParamDecl d :
         {number("bandwidth_gbps", kRequired, Bound::positive(), "effective bandwidth per direction"),
          number("latency_ns", kRequired, Bound::non_negative(), "one-way latency"),
          number("energy_pj_per_bit", kRequired, Bound::non_negative(), "energy per bit transferred"),
          number("static_power_mw", kRequired, Bound::non_negative(), "idle power of the link")})
      top.keys.push_back(d);
    x.sections.push_back(top);
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar host_link_schema_registrar(&host_link_schema);

}  // namespace

double HostLink::bandwidth(Params& p) {
  p.bind(host_link_schema());
  return p.get<double>("bandwidth_gbps") * 1e9;
}

HostLink::HostLink(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "host_link"),
      target("target"),
      to_device_(bandwidth(p), sc_time(1, sc_core::SC_US)),
      to_host_(to_device_.bytes_per_s(), sc_time(1, sc_core::SC_US)) {
  latency_ = sc_time(p.get<double>("latency_ns"), sc_core::SC_NS);
  j_per_byte_ = p.get<double>("energy_pj_per_bit") * 8e-12;
  static_w_ = p.get<double>("static_power_mw") * 1e-3;
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
