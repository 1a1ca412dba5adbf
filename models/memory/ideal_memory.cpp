// Ideal memory channel; see ideal_memory.h.
#include "models/memory/ideal_memory.h"

namespace llmx {

using sc_core::sc_time;

double IdealMemory::read_bandwidth(Params& p) {
  return p.required<double>("bandwidth_gbps", "peak bandwidth in GB/s (1e9 bytes/s)", Bound::positive()) * 1e9;
}

IdealMemory::IdealMemory(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "ideal_memory"),
      target("target"),
      capacity_(static_cast<uint64_t>(p.required<double>("capacity_gib", "capacity", Bound::positive()) *
                                      1024.0 * 1024.0 * 1024.0)),
      booker_(read_bandwidth(p),
              sc_time(p.optional<double>("booking_window_ns", 50.0, "bandwidth booking window", Bound::positive()),
                      sc_core::SC_NS)) {
  latency_ = sc_time(p.required<double>("latency_ns", "latency of every access", Bound::non_negative()), sc_core::SC_NS);
  read_j_per_byte_ = p.required<double>("read_energy_pj_per_bit", "read energy per bit", Bound::non_negative()) * 8e-12;
  write_j_per_byte_ = p.required<double>("write_energy_pj_per_bit", "write energy per bit", Bound::non_negative()) * 8e-12;
  background_w_ = p.required<double>("background_power_mw", "standby power", Bound::non_negative()) * 1e-3;
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
