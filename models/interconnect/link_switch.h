// A switch joining every device of a system (an NVSwitch, a PCIe switch, an Ethernet switch): one port per
// device, each port a full-duplex link to its device.
//
// Modelled: each port's two directions (device -> switch, switch -> device) with their own bandwidth
// (windowed booking), so transfers share a port only where they meet on it; a transfer crosses its sender's
// port, the switch, and its receiver's port, cut through (the receiver's port starts as the first bytes
// arrive); latency of each port link and of the switch; energy per bit of each port link crossed and of the
// switch; static power of every port link and of the switch. The port links read the keys a chip_link reads;
// the switch's own figures are under `switch:`.
// Left out: the switch's internal bandwidth (non-blocking assumed), buffering and congestion control beyond
// the ports' sharing, in-switch reduction (NVLS / SHARP), multicast.
//
// Socket: `target` (target, link protocol).
#pragma once

#include <limits>

#include <tlm_utils/simple_target_socket.h>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"
#include "models/interconnect/device_link.h"

namespace llmx {

struct ParamSchema;
// The declarations LinkSwitch reads its parameters through (`explorer types link_switch`).
const ParamSchema& link_switch_parameters();

class LinkSwitch : public Component, public DeviceLink {
 public:
  // The switch's end of a port direction, in LinkDirectionStats.
  static constexpr uint32_t kSwitch = std::numeric_limits<uint32_t>::max();

  tlm_utils::simple_target_socket<LinkSwitch> target;

  LinkSwitch(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  void join(const std::vector<uint32_t>& devices) override;
  std::vector<LinkDirectionStats> directions() const override;

 private:
  struct Port {
    uint32_t device = 0;
    BandwidthBooker up, down;  // device -> switch, switch -> device
    uint64_t up_bytes = 0, down_bytes = 0, up_transfers = 0, down_transfers = 0;
  };
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  Port* port_of(uint32_t device);

  double bytes_per_s_ = 0;
  sc_core::sc_time window_, link_latency_, switch_latency_;
  double link_j_per_byte_ = 0, switch_j_per_byte_ = 0, link_static_w_ = 0, switch_static_w_ = 0;
  std::vector<Port> ports_;
  uint64_t bytes_ = 0, transfers_ = 0;
};

}  // namespace llmx
