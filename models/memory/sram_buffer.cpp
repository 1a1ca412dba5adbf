// On-chip SRAM scratchpad; see sram_buffer.h.
#include "models/memory/sram_buffer.h"

#include <algorithm>
#include <cmath>

#include "models/core/energy_band.h"
#include "models/core/param_schema.h"

namespace llmx {

using sc_core::sc_time;

namespace {

const ParamSchema& sram_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{"sram", "on-chip SRAM scratchpad with banked ports and per-access energy", {}};
    ParamSection top{"", "", instance_keys("sram")};
    for (ParamDecl d :
         {number("capacity_kib", kRequired, Bound::positive(), "capacity"),
          integer("banks", kRequired, Bound::range(1, 4096),
                  "independent banks (each at least one access wide)"),
          integer("bank_width_bits", kRequired, Bound::range(8, 65536), "bits per bank access"),
          number("clock_mhz", kRequired, Bound::range(1e-3, 1e6), "SRAM clock"),
          integer("ports", "2", Bound::range(1, 2),
                  "1 = reads and writes share a port; 2 = one read and one write port"),
          number("read_energy_pj_per_access", kRequired, Bound::non_negative(), "energy per bank-width read"),
          number("write_energy_pj_per_access", kRequired, Bound::non_negative(),
                 "energy per bank-width write"),
          number("leakage_power_mw", kRequired, Bound::non_negative(), "leakage power"),
          number("latency_ns", "1", Bound::non_negative(), "access latency"),
          number("booking_window_ns", "20", Bound::positive(), "bandwidth booking window")})
      top.keys.push_back(d);
    top.keys.push_back(energy_band_key());
    x.sections.push_back(top);
    x.sections.push_back(energy_band_section(""));
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar sram_schema_registrar(&sram_schema);

}  // namespace

SramBuffer::SramBuffer(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "sram"), target("target") {
  p.bind(sram_schema());
  capacity_ = static_cast<uint64_t>(p.get<double>("capacity_kib") * 1024.0);
  const int banks = p.get<int>("banks");
  const int width_bits = p.get<int>("bank_width_bits");
  // Up to 1 THz, as the PE clock.
  const double clock_hz = p.get<double>("clock_mhz") * 1e6;
  ports_ = p.get<int>("ports");
  if (uint64_t(banks) * uint64_t(width_bits) / 8 > capacity_)
    p.fail("banks", cat(banks, " banks of ", width_bits, " bits are more than the ", capacity_,
                        " bytes of capacity hold"));
  access_bytes_ = width_bits / 8.0;
  port_bytes_per_s_ = banks * access_bytes_ * clock_hz;
  read_energy_j_ = p.get<double>("read_energy_pj_per_access") * 1e-12;
  write_energy_j_ = p.get<double>("write_energy_pj_per_access") * 1e-12;
  leakage_w_ = p.get<double>("leakage_power_mw") * 1e-3;
  energy_band_ = read_energy_band(p);
  latency_ = sc_time(p.get<double>("latency_ns"), sc_core::SC_NS);
  const sc_time window(p.get<double>("booking_window_ns"), sc_core::SC_NS);
  read_port_ = std::make_unique<BandwidthBooker>(port_bytes_per_s_, window);
  if (ports_ == 2) write_port_ = std::make_unique<BandwidthBooker>(port_bytes_per_s_, window);

  target.register_b_transport(this, &SramBuffer::b_transport);
  expose_target("target", target, Protocol::memory, false);
}

void SramBuffer::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t bytes = trans.get_data_length();
  const bool write = trans.is_write();
  BandwidthBooker& port = (write && write_port_) ? *write_port_ : *read_port_;
  delay = port.book(delay, bytes) + latency_;
  (write ? bytes_written_ : bytes_read_) += bytes;
  ++requests_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

ComponentStats SramBuffer::stats(const sc_time& now) const {
  ComponentStats s;
  // Busy as its busier port: with a read and a write port both may serve at once, so their sum can exceed the
  // elapsed time (a utilization above 1); each port's own busy time is reported beside it.
  const sc_time write_busy = write_port_ ? write_port_->busy() : sc_core::SC_ZERO_TIME;
  s.busy = std::max(read_port_->busy(), write_busy);
  s.bytes_read = bytes_read_;
  s.bytes_written = bytes_written_;
  s.requests = requests_;
  s.energy[EnergyKind::read_array] = std::ceil(bytes_read_ / access_bytes_) * read_energy_j_;
  s.energy[EnergyKind::write_array] = std::ceil(bytes_written_ / access_bytes_) * write_energy_j_;
  s.energy[EnergyKind::static_power] = leakage_w_ * now.to_seconds();
  s.extra.emplace_back("capacity_bytes", static_cast<double>(capacity_));
  s.extra.emplace_back("read_port_busy_s", read_port_->busy().to_seconds());
  if (write_port_) s.extra.emplace_back("write_port_busy_s", write_busy.to_seconds());
  energy_band_.fill(s);
  return s;
}

LLMX_REGISTER_COMPONENT(SramBuffer, "sram", "on-chip SRAM scratchpad with banked ports and per-access energy");

}  // namespace llmx
