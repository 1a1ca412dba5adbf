// How the devices of a system are joined (plain C++, no SystemC): the links between them and the route of a
// transfer from one device to another, as hops over link modules (models/interconnect/chip_link.h,
// link_switch.h).
//   ring:   link k joins device k and device k+1 (the last back to the first; two devices share one link); a
//           transfer goes the shorter way round, hop by hop, each hop stored and forwarded.
//   switch: one switch with a port per device; every transfer is one hop through it.
//   none:   a single device, no links.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmx {

struct LinkHop {
  uint32_t link = 0;  // index of the link module (the driver's `link` socket, in binding order)
  uint32_t from = 0, to = 0;
};

class Topology {
 public:
  enum class Kind { none, ring, switched };

  Topology() = default;
  Topology(Kind kind, uint32_t devices);
  // Parses "ring" or "switch"; false for anything else.
  static bool parse(const std::string& name, Kind& out);

  Kind kind() const { return kind_; }
  uint32_t devices() const { return devices_; }
  // Link modules the topology needs, and the devices each joins (in the order the driver binds them).
  uint32_t links() const;
  std::vector<uint32_t> joined(uint32_t link) const;
  // The hops of a transfer from `from` to `to` (none when they are the same device).
  std::vector<LinkHop> route(uint32_t from, uint32_t to) const;

 private:
  Kind kind_ = Kind::none;
  uint32_t devices_ = 1;
};

}  // namespace llmx
