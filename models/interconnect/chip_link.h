// A chip-to-chip link between two devices (NVLink, PCIe peer-to-peer, UCIe die-to-die, Ethernet).
//
// Modelled: full duplex, each direction with its own effective bandwidth (windowed booking: transfers in the
// same direction share it, the two directions do not), a one-way latency per transfer, energy per bit moved
// and static (PHY idle) power of the whole link (both ends). A transfer's LinkTransfer extension names the
// devices at its ends; one the link does not join is an address error.
// Left out: framing and protocol overheads beyond what the configured effective bandwidth includes, flow
// control credits, link-level retry and error correction, lanes that train down.
//
// Socket: `target` (target, link protocol).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"
#include "models/interconnect/device_link.h"

namespace llmx {

struct ParamSchema;
// The declarations ChipLink reads its parameters through (`explorer types chip_link`).
const ParamSchema& chip_link_parameters();

class ChipLink : public Component, public DeviceLink {
 public:
  tlm_utils::simple_target_socket<ChipLink> target;

  ChipLink(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  void join(const std::vector<uint32_t>& devices) override;
  std::vector<LinkDirectionStats> directions() const override;

 private:
  struct Direction {
    BandwidthBooker booker;
    uint64_t bytes = 0, transfers = 0;
  };
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  uint32_t ends_[2] = {0, 1};
  std::vector<Direction> directions_;  // [0]: ends_[0] -> ends_[1], [1]: back
  sc_core::sc_time latency_;
  double j_per_byte_ = 0, static_w_ = 0;
};

}  // namespace llmx
