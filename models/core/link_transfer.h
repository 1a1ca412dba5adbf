// The link protocol: the decode driver moves bytes between devices over chip-to-chip links (models/
// interconnect/chip_link.h, link_switch.h) as TLM generic payloads carrying a LinkTransfer extension (command
// TLM_WRITE_COMMAND, data_length the bytes moved). The extension names the devices at both ends of the hop,
// so a link books the direction the bytes travel; the link fills in the energy the hop cost. Timing as every
// target here: the annotated delay comes back as the time the last byte arrived at `to_device`.
#pragma once

#include <cstdint>

#include <tlm>

namespace llmx {

struct LinkTransfer : tlm::tlm_extension<LinkTransfer> {
  uint32_t from_device = 0, to_device = 0;  // input: the hop's ends (device indices of the system)
  double energy_j = 0;                      // output: energy the hop spent on these bytes (typical bound)

  tlm::tlm_extension_base* clone() const override { return new LinkTransfer(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const LinkTransfer&>(other);
  }
};

}  // namespace llmx
