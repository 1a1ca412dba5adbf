// A system-level cache (SLC, last-level cache) slice between the interconnect and one memory channel, as in
// SoCs whose memory controllers each carry a slice of the SoC's shared cache (Apple M-series, NVIDIA GB10).
//
// Modelled: capacity; hits decided by an exact LRU over `block_bytes` blocks of the channel-local address
// space, so the hit rate follows from the capacity against the reuse in the stream itself (a decode step that
// streams gigabytes of weights through a cache of megabytes misses; a working set that fits, hits); a read
// hit is served at the slice's bandwidth and latency, the missed runs of a read go to the channel after the
// lookup latency and their blocks are allocated; writes go through to the channel and allocate (write-through,
// write-allocate). Bytes are conserved: what the channel serves is exactly what missed, plus the writes.
// Energy per bit for hits (read) and fills/writes (write), leakage power. Left out: associativity and
// replacement other than LRU, partial-block state (a block touched by any byte counts as present), prefetch,
// coherence with other agents.
//
// Sockets: `target` (target, memory protocol, from the interconnect), `mem` (initiator, memory protocol, to
// the memory channel).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <list>
#include <unordered_map>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"

namespace llmx {

class SystemCache : public Component {
 public:
  tlm_utils::simple_target_socket<SystemCache> target;
  tlm_utils::simple_initiator_socket<SystemCache> mem;

  SystemCache(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  ComponentStats stats(const sc_core::sc_time& now) const override;

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  struct Range {
    uint64_t address, bytes;
  };
  // Looks the blocks of [address, address + bytes) up, allocating the missing ones (LRU); returns the missed
  // ranges, adjacent misses merged.
  std::vector<Range> lookup(uint64_t address, uint64_t bytes);
  // One access of the channel behind the slice; returns when it completes.
  sc_core::sc_time forward(tlm::tlm_command command, const Range& range, const sc_core::sc_time& start);

  uint64_t block_bytes_, blocks_;
  sc_core::sc_time latency_;
  double read_j_per_byte_, write_j_per_byte_, leakage_w_;
  BandwidthBooker booker_;
  std::list<uint64_t> lru_;  // block numbers, most recent first
  std::unordered_map<uint64_t, std::list<uint64_t>::iterator> where_;
  tlm::tlm_generic_payload forward_;
  uint64_t hit_bytes_ = 0, miss_bytes_ = 0, written_bytes_ = 0, requests_ = 0;
};

}  // namespace llmx
