// An ideal memory channel: a peak bandwidth, a fixed latency and energy per bit, nothing else. It is the
// roofline reference against which the JEDEC channel models (type `dram`) are judged, and a quick stand-in
// for memories the explorer has no timing model of.
// Modelled: capacity, peak bandwidth shared by reads and writes (windowed booking), fixed latency, read/write
// energy per bit, background power. Left out: banks, rows, refresh, turnaround: it reaches 100% of peak.
//
// Socket: `target` (target, memory protocol).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"

namespace llmx {

class IdealMemory : public Component, public MemoryDevice {
 public:
  tlm_utils::simple_target_socket<IdealMemory> target;

  IdealMemory(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  uint64_t capacity_bytes() const override { return capacity_; }
  double peak_bandwidth_bytes_per_s() const override { return booker_.bytes_per_s(); }

 private:
  static double read_bandwidth(Params& p);
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  uint64_t capacity_;
  BandwidthBooker booker_;
  sc_core::sc_time latency_;
  double read_j_per_byte_, write_j_per_byte_, background_w_;
  uint64_t bytes_read_ = 0, bytes_written_ = 0, requests_ = 0;
};

}  // namespace llmx
