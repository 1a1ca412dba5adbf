// Elaboration: builds the SystemC design a system config describes.
//
//   modules:                      # instances; the implementation is chosen by `type:` (models/core/registry.h)
//     pe: {type: pe, count: 8, include: ../compute/pe-int8.yaml, clock_mhz: 1000}
//     dram: {type: dram, count: 8, include: ../memory/lpddr5x-8533.yaml}
//   connections:                  # initiator socket -> target socket
//     - {from: driver.pe, to: pe.cmd}     # `driver` is the decode driver, built from `workload:`
//     - {from: pe.mem, to: noc.in}        # an array binds element by element, or all to one multi-socket
//     - {from: noc.out, to: dram.target}  # a multi-socket binds to each element of an array, in order
//
// Every connection is checked before anything is bound: both ends exist, one is an initiator and the other a
// target, both speak the same protocol, no single socket is bound twice, and at the end no required socket is
// left unbound. Each error is one line naming the config file:line:column and key.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "explorer/run/decode_driver.h"
#include "models/core/component.h"
#include "models/core/params.h"

namespace llmx {

struct Instance {
  std::string name;               // config name, e.g. "pe"
  std::string type;
  std::vector<Component*> elements;  // count elements, SystemC names pe_0, pe_1, ... (or just "pe")
  SourceLocation where;
  std::string path;  // "modules.pe"
};

class System {
 public:
  std::vector<std::unique_ptr<Component>> components;  // every element, in config order, driver first
  std::map<std::string, Instance> instances;
  std::vector<std::string> instance_order;
  DecodeDriver* driver = nullptr;

  // DRAM capacity and peak bandwidth summed over the memory devices that are DRAM.
  uint64_t dram_capacity_bytes() const;
  double dram_peak_bytes_per_s() const;
};

// Reads `modules` and `connections` from `root`, creates the driver (to execute `workload`, which must outlive
// the system), binds everything. Throws llmx::Error on any config or wiring problem.
std::unique_ptr<System> elaborate(Params& root, const DriverConfig& driver_config, const Workload& workload);

}  // namespace llmx
