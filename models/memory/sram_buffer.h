// An on-chip SRAM scratchpad (weight tiles, activations).
//
// Modelled: capacity; banks x bank width x clock give the peak bandwidth per port; one port shared by reads and
// writes or two (one read, one write); energy per access of one bank width (CACTI-style figures, cited in the
// preset) and leakage power, typical and maximum (energy_band.h); contention by windowed booking per port.
// Left out: bank conflicts (accesses are assumed spread across banks), addresses (the buffer holds whatever
// its PE stages in it; capacity is checked by the driver and the PE's tiling).
//
// Socket: `target` (target, memory protocol).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <memory>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/energy_band.h"
#include "models/core/registry.h"

namespace llmx {

class SramBuffer : public Component, public MemoryDevice {
 public:
  tlm_utils::simple_target_socket<SramBuffer> target;

  SramBuffer(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  uint64_t capacity_bytes() const override { return capacity_; }
  double peak_bandwidth_bytes_per_s() const override { return port_bytes_per_s_ * ports_; }
  bool is_dram() const override { return false; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  uint64_t capacity_;
  int ports_;
  double port_bytes_per_s_;
  double access_bytes_;
  double read_energy_j_, write_energy_j_, leakage_w_;
  EnergyBand energy_band_;  // maximum bound over the typical figures (models/core/energy_band.h)
  sc_core::sc_time latency_;
  std::unique_ptr<BandwidthBooker> read_port_, write_port_;  // write_port_ == nullptr when ports == 1
  uint64_t bytes_read_ = 0, bytes_written_ = 0, requests_ = 0;
};

}  // namespace llmx
