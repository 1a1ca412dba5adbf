// Ideal memory channel; see ideal_memory.h.
#include "models/memory/ideal_memory.h"

#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

const ParamSchema& ideal_memory_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"ideal_memory", "memory at its peak bandwidth with fixed latency (roofline reference)", {}};
    ParamSection top{"", "", instance_keys("ideal_memory")};
    for (ParamDecl d :
         {number("bandwidth_gbps", kRequired, Bound::positive(), "peak bandwidth in GB/s (1e9 bytes/s)"),
          number("capacity_gib", kRequired, Bound::positive(), "capacity"),
          number("booking_window_ns", "50", Bound::positive(), "bandwidth booking window"),
          number("latency_ns", kRequired, Bound::non_negative(), "latency of every access"),
          number("read_energy_pj_per_bit", kRequired, Bound::non_negative(), "read energy per bit"),
          number("write_energy_pj_per_bit", kRequired, Bound::non_negative(), "write energy per bit"),
          number("background_power_mw", kRequired, Bound::non_negative(), "standby power")})
      top.keys.push_back(d);
    x.sections.push_back(top);
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar ideal_memory_schema_registrar(&ideal_memory_schema);

}  // namespace

double IdealMemory::read_bandwidth(Params& p) {
  p.bind(ideal_memory_schema());
  return p.get<double>("bandwidth_gbps") * 1e9;
}

IdealMemory::IdealMemory(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "ideal_memory"),
      target("target"),
      capacity_(static_cast<uint64_t>(p.bind(ideal_memory_schema()).get<double>("capacity_gib") * 1024.0 *
                                      1024.0 * 1024.0)),
      booker_(read_bandwidth(p), sc_time(p.get<double>("booking_window_ns"), sc_core::SC_NS)) {
  latency_ = sc_time(p.get<double>("latency_ns"), sc_core::SC_NS);
  read_j_per_byte_ = p.get<double>("read_energy_pj_per_bit") * 8e-12;
  write_j_per_byte_ = p.get<double>("write_energy_pj_per_bit") * 8e-12;
  background_w_ = p.get<double>("background_power_mw") * 1e-3;
  target.register_b_transport(this, &IdealMemory::b_transport);
  expose_target("target", target, Protocol::memory, false);
}

void IdealMemory::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t bytes = trans.get_data_length();
  if (trans.get_address() + bytes > capacity_) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  delay = booker_.book(delay, bytes) + latency_;
  (trans.is_write() ? bytes_written_ : bytes_read_) += bytes;
  ++requests_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

ComponentStats IdealMemory::stats(const sc_time& now) const {
  ComponentStats s;
  s.busy = booker_.busy();
  s.bytes_read = bytes_read_;
  s.bytes_written = bytes_written_;
  s.requests = requests_;
  s.energy[EnergyKind::read_array] = bytes_read_ * read_j_per_byte_;
  s.energy[EnergyKind::write_array] = bytes_written_ * write_j_per_byte_;
  s.energy[EnergyKind::background] = background_w_ * now.to_seconds();
  return s;
}

LLMX_REGISTER_COMPONENT(IdealMemory, "ideal_memory", "memory at its peak bandwidth with fixed latency (roofline reference)");

}  // namespace llmx
