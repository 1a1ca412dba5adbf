// One JEDEC DRAM channel (LPDDR4X/5/5X, HBM2/2E/3/3E, DDR5 sub-channel) as a loosely-timed TLM-2.0 target.
// The standard comes from the preset included into the instance's map (configs/memory/*.yaml): organisation,
// timing, energies (IDD currents or per-operation), controller settings and address mapping (read by
// dram::read_dram_spec). Each transaction, however large, is split into the bursts it stands for; each burst
// is a row hit or miss against the channel's open rows and costs the channel time the command-level
// controller model (dram/channel_controller.h) measured for that class on this configuration, refresh and
// FR-FCFS included (dram/service_model.h); random-like misses are priced at the controller queue occupancy
// the channel's booked backlog implies (a shallow queue overlaps fewer misses to distinct banks), and a burst
// continuing a miss's row access costs the continuation the calibration measured. That time
// is booked in windows (models/core/bandwidth_booker.h), so initiators that run ahead of each other under
// temporal decoupling share the channel as they would in time; b_transport never waits. Energy by kind:
// act_pre, read_array, write_array, io, refresh, background. Left out: reordering between transactions (on a
// multi-PE decode's tile stream the command-level FR-FCFS controller gives the same bandwidth, measured:
// docs/VALIDATION.md), power-down, data contents (payloads are timing-only).
//
// Socket: `target` (target, memory protocol). Addresses are channel-local (the interconnect strips channel
// bits).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include "models/core/bandwidth_booker.h"
#include "models/core/component.h"
#include "models/core/registry.h"
#include "models/core/seconds.h"
#include "models/memory/dram/channel_controller.h"
#include "models/memory/dram/dram_spec.h"
#include "models/memory/dram/service_model.h"

namespace llmx {

class DramChannel : public Component, public MemoryDevice {
 public:
  tlm_utils::simple_target_socket<DramChannel> target;

  DramChannel(const sc_core::sc_module_name& name, Params& params, const ElabContext& ctx);
  // A channel of a spec read elsewhere (memtrace replay, tests), booking in windows of `booking_window`.
  DramChannel(const sc_core::sc_module_name& name, const dram::DramSpec& spec,
              sc_core::sc_time booking_window);
  ComponentStats stats(const sc_core::sc_time& now) const override;
  uint64_t capacity_bytes() const override { return spec_.org.capacity_bytes(); }
  double peak_bandwidth_bytes_per_s() const override { return spec_.peak_bytes_per_s(); }

  const dram::DramSpec& spec() const { return spec_; }
  // The blocking transport, callable directly (tests, memtrace): adds the access's delay to `delay`.
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // The same at simulation time `now` (b_transport: sc_time_stamp()), for a replay outside a simulation:
  // `now` never decreases from one call to the next, and `delay` is an offset from it.
  void transport_at(const sc_core::sc_time& now, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // When the channel finished serving the last transaction's data (its pipeline latency not included), as an
  // offset from the `now` it was given: what a controller queue slot is held for.
  const sc_core::sc_time& last_served() const { return last_served_; }
  // Bursts, row outcomes, refreshes and active time up to `now`, as the energy model counts them.
  dram::ChannelCounters counters(const sc_core::sc_time& now) const;

 private:
  dram::DramSpec spec_;
  dram::ChannelServiceModel model_;
  BandwidthBooker booker_;
  int read_depth_, write_depth_;  // dram::queue_depth of reads and of writes
  double pipeline_ns_ = 0;        // the last pipeline latency converted, and its sc_time
  sc_core::sc_time pipeline_ = sc_core::SC_ZERO_TIME;
  uint64_t bytes_read_ = 0, bytes_written_ = 0, requests_ = 0;
  uint64_t read_bursts_ = 0, write_bursts_ = 0, hits_ = 0, misses_ = 0, reads_ = 0;
  double read_latency_sum_ns_ = 0;
  sc_core::sc_time last_served_;
  double booked_until_ns_ = 0;  // absolute time the channel is booked up to
  Seconds seconds_;

  double busy_at_occupancy(const dram::ChannelServiceModel::Cost& cost, double start_ns, bool write) const;
};

}  // namespace llmx
