// Device topologies and routes; see topology.h.
#include "explorer/plan/topology.h"

namespace llmx {

Topology::Topology(Kind kind, uint32_t devices) : kind_(kind), devices_(devices) {}

bool Topology::parse(const std::string& name, Kind& out) {
  if (name == "ring") return out = Kind::ring, true;
  if (name == "switch") return out = Kind::switched, true;
  return false;
}

uint32_t Topology::links() const {
  if (kind_ == Kind::none || devices_ < 2) return 0;
  if (kind_ == Kind::switched) return 1;
  return devices_ == 2 ? 1 : devices_;
}

std::vector<uint32_t> Topology::joined(uint32_t link) const {
  if (kind_ == Kind::switched) {
    std::vector<uint32_t> all(devices_);
    for (uint32_t d = 0; d < devices_; ++d) all[d] = d;
    return all;
  }
  return {link, (link + 1) % devices_};
}

std::vector<LinkHop> Topology::route(uint32_t from, uint32_t to) const {
  std::vector<LinkHop> hops;
  if (from == to || links() == 0) return hops;
  if (kind_ == Kind::switched) return {{0, from, to}};
  const uint32_t n = devices_;
  const uint32_t forward = (to + n - from) % n;
  const bool ahead = forward <= n - forward;
  for (uint32_t d = from; d != to;) {
    const uint32_t next = ahead ? (d + 1) % n : (d + n - 1) % n;
    const uint32_t link = n == 2 ? 0 : (ahead ? d : next);  // link k joins k and k+1
    hops.push_back({link, d, next});
    d = next;
  }
  return hops;
}

}  // namespace llmx
