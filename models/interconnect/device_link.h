// What the modules between devices have in common (chip_link.h, link_switch.h): the topology tells each which
// devices it joins before simulation, and each reports its traffic per direction (the run's links.csv).
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

namespace llmx {

struct LinkDirectionStats {
  uint32_t from_device = 0, to_device = 0;
  uint64_t bytes = 0, transfers = 0;
  sc_core::sc_time busy = sc_core::SC_ZERO_TIME;  // time the direction spent moving bytes at its bandwidth
  double bandwidth_bytes_per_s = 0;               // its peak
  double energy_j = 0;                            // energy of the bytes it moved (static power not included)
};

class DeviceLink {
 public:
  virtual ~DeviceLink() = default;
  // The devices the module joins, in the order the topology gives them (a link: its two ends; a switch: one
  // port per device). Called once, before simulation.
  virtual void join(const std::vector<uint32_t>& devices) = 0;
  virtual std::vector<LinkDirectionStats> directions() const = 0;
};

}  // namespace llmx
