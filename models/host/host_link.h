// The host link (PCIe, CXL) between the host and the accelerator.
//
// Modelled: bandwidth per direction (full duplex, windowed booking per direction), one-way latency, energy per
// bit transferred, static (PHY idle) power. TLM_WRITE_COMMAND moves bytes host -> device (prompt in, weights
// streamed in), TLM_READ_COMMAND device -> host (tokens out).
// Left out: protocol packet overheads beyond what the configured effective bandwidth includes, flow-control
// credits, DMA descriptor traffic.
//
// Socket: `target` (target, host protocol).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"

namespace llmx {

class HostLink : public Component {
 public:
  tlm_utils::simple_target_socket<HostLink> target;

  HostLink(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  double bytes_per_s() const { return to_device_.bytes_per_s(); }

 private:
  static double bandwidth(Params& p);
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  BandwidthBooker to_device_, to_host_;
  sc_core::sc_time latency_;
  double j_per_byte_, static_w_;
  uint64_t bytes_in_ = 0, bytes_out_ = 0, requests_ = 0;
};

}  // namespace llmx
