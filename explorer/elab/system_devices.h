// The devices and links of a system (inside the elaborator; explorer/elab/elaborator.h has the config).
//
//   devices:                      # N devices, each the same subsystem
//     count: 4
//     include: ../devices/lpddr5x-device.yaml     # its `modules:` and `connections:`
//   links:                        # between the devices
//     topology: ring              # ring (a link to the next device) or switch (one port per device)
//     include: ../links/nvlink4.yaml              # the link's figures (chip_link; a switch adds `switch:`)
//
// Device d's module names are prefixed `dev<d>_` (dev2_dram_5) when there are several; its connections name
// its own instances and the one `driver`, whose `pe` and `host` sockets each device binds as it would alone
// (the driver learns which PEs and host link are whose). A config with `modules:` at the top instead is a
// system of one device, elaborated the same way with no prefix. The topology's link modules are named
// `link_<k>` (`link` when there is one; `switch`) and bound to the driver's `link` socket in order.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "explorer/elab/elaborator.h"

namespace llmx {

struct Binding {
  SocketPort* port;
  std::string label;  // "pe[3].mem"
  SourceLocation where;
  Component* component = nullptr;
  std::string path;  // key path of the connection, e.g. "connections[2]"
};

// Connections checked and waiting to be bound (all devices', in order).
struct Wiring {
  std::vector<std::pair<Binding, Binding>> pairs;
  std::map<SocketPort*, SourceLocation> first_binding;
};

// Elaborates the device whose `modules:` and `connections:` are in `scope`, names prefixed by `prefix`;
// checks its connections into `wiring` (elaborator.cpp).
void elaborate_device(Params& scope, const std::string& prefix, System& sys, Wiring& wiring,
                      const DriverConfig& driver_config);
void bind_all(Wiring& wiring);

// Every device of the system: those of `devices:`, or the root as the one device (system_devices.cpp).
void elaborate_devices(Params& root, System& sys, Wiring& wiring, const DriverConfig& driver_config);
// The link modules of `links:`, joined to their devices and bound to the driver.
void elaborate_links(Params& root, System& sys, const DriverConfig& driver_config);

}  // namespace llmx
