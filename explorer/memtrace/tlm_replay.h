// Replay of a memory access stream through the loosely-timed DRAM channel that decode runs use
// (models/memory/dram_channel.h), for `explorer memtrace --model tlm` and for checking that channel against
// the command-level engine (dram::MemorySystem) on the same stream. Channel index and channel-local address
// come from the same address bits as in MemorySystem; an access is split where it crosses to another channel.
// Accesses issue in stream order, each at the latest of: its timestamp, the issue of the one before, a free
// slot in its channel's controller queue (read_queue or write_queue entries, one per burst as the
// command-level engine queues them, at most the whole queue; each held until the channel has served the
// piece's data, as a controller holds a request until its column command), and, with the in_flight
// injection model, a free slot among `limit` accesses outstanding until their data returns (a DRAMSys
// StlPlayer). A full channel queue thus holds up the accesses behind it (Ramulator 2's front end stops
// offering at a full queue), unless the injection model gives each channel its own arbiter queue
// (channel_queues: DRAMSys). Each piece is one b_transport at the issue time; an access completes when its
// last piece does.
// Left out: an on-chip interconnect between the player and the channels (memtrace has none either).
#pragma once

#include <functional>
#include <vector>

#include "models/memory/dram/memory_system.h"

namespace llmx {

dram::SystemResult replay_tlm(const dram::DramSpec& spec, int channels, const std::vector<int>& channel_bits,
                              const dram::InjectionModel& injection,
                              const std::function<bool(dram::Access&)>& next,
                              double booking_window_ns = 50.0);

}  // namespace llmx
