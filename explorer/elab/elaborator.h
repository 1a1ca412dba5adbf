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
//
// A system of several devices (explorer/elab/system_devices.h) has `devices:` instead: each device is the
// `modules:` and `connections:` above (usually included from configs/devices/), elaborated once per device
// with its module names prefixed (dev0_pe_3), plus `links:` between the devices. A config with `modules:` at
// its top is the one device of its system.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "explorer/cost/cost_spec.h"
#include "explorer/plan/plan.h"
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
  ModuleCost cost;   // its `cost:` map (explorer/cost/cost_spec.h)
};

// One device of the system: its elements, and the prefix of their names ("" when the system has one).
struct SystemDevice {
  std::string prefix;
  std::vector<Component*> components;
};

class System {
 public:
  std::vector<std::unique_ptr<Component>> components;  // every element, in config order, driver first
  std::map<std::string, Instance> instances;           // by prefixed name
  std::vector<std::string> instance_order;
  std::vector<SystemDevice> devices;
  std::vector<Component*> links;  // the modules between devices
  bool device_list = false;       // the config lists `devices:` (else its `modules:` are the one device)
  DecodeDriver* driver = nullptr;

  // DRAM capacity and peak bandwidth summed over the memory devices that are DRAM (of one device).
  uint64_t dram_capacity_bytes() const;
  double dram_peak_bytes_per_s() const;
  uint64_t dram_capacity_bytes(size_t device) const;
  // What the plan needs to know of each device.
  std::vector<DeviceResources> device_resources() const;
};

// Reads `modules` and `connections` from `root`, creates the driver (to execute `workload`, which must outlive
// the system), binds everything. Throws llmx::Error on any config or wiring problem.
std::unique_ptr<System> elaborate(Params& root, const DriverConfig& driver_config, const Workload& workload);

}  // namespace llmx
