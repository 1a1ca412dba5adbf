// A multi-channel DRAM system driven from an access stream, for trace replay, validation against cycle-level
// simulators and benchmarks: a channel mapper (channel index from chosen address bits, which are removed to
// give each channel its dense local address), one ChannelController per channel on a common tick clock,
// and the two injection models the reference simulators use:
//  - offer_per_tick: every tick up to N requests are offered in stream order; the first one whose channel
//    queue is full stops the offering for that tick (Ramulator 2's trace front end);
//  - in_flight: at most N accesses outstanding in stream order, responses returned in order (a DRAMSys
//    StlPlayer with a FIFO response queue).
// Accesses larger than one burst are split into bursts. Reports sustained bandwidth, latency distribution,
// row-buffer outcome counts and energy by kind (DRAMPower's split; per-command energies from IDD currents
// or given per operation, dram_spec.h; standby by open-bank time).
// Left out: the on-chip interconnect, and any reordering across channels beyond what the queues allow.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "models/memory/dram/channel_controller.h"
#include "models/memory/dram/dram_spec.h"

namespace llmx::dram {

struct Access {
  uint64_t addr = 0;
  uint32_t bytes = 64;
  bool is_write = false;
  double not_before_ns = 0;  // trace timestamp: not injected earlier
};

// Energy by kind in joules, the kinds DRAM reports (stats.h): act_pre, read_array, write_array, io, refresh,
// background. total() is their sum.
struct DramEnergy {
  double act_pre = 0, read_array = 0, write_array = 0, io = 0, refresh = 0, background = 0;
  double total() const { return act_pre + read_array + write_array + io + refresh + background; }
  DramEnergy& operator+=(const DramEnergy& o);
};
// Energy of the counted commands and standby over `elapsed_s`, in one bound (dram_energy.h).
DramEnergy energy_of(const ChannelCounters& c, const DramSpec& spec, double elapsed_s,
                     EnergyBound bound = EnergyBound::typical);

struct InjectionModel {
  enum class Kind { offer_per_tick, in_flight } kind = Kind::offer_per_tick;
  int limit = 16;                  // offers per tick, or accesses in flight
  bool in_order_responses = true;  // in_flight: responses leave in request order (FIFO response queue)
  // An arbiter queue per channel in front of each controller (DRAMSys): a full controller buffer holds up
  // only its own channel's queue, not the injection of requests to other channels.
  bool channel_queues = false;
  int offer_interval_ticks = 1;  // offer_per_tick: controller ticks between offering rounds (front-end clock)
};

struct SystemResult {
  uint64_t accesses = 0, bytes_read = 0, bytes_written = 0;
  double elapsed_ns = 0;      // time of the last data completion
  double bandwidth_gbps = 0;  // (bytes read + written) / elapsed, 1 GB = 1e9 B
  double peak_gbps = 0;
  double mean_read_latency_ns = 0, p50_read_latency_ns = 0, p99_read_latency_ns = 0;
  ChannelCounters counters;  // summed over channels
  double row_hit_rate = 0;
  DramEnergy energy;      // typical bound
  DramEnergy energy_max;  // maximum bound
  struct Channel {        // one channel's share (bytes are whole bursts)
    ChannelCounters counters;
    DramEnergy energy;
    DramEnergy energy_max;
  };
  std::vector<Channel> per_channel;
  double pj_per_bit(EnergyBound b = EnergyBound::typical) const {
    const double bits = double(bytes_read + bytes_written) * 8;
    const DramEnergy& e = b == EnergyBound::typical ? energy : energy_max;
    return bits > 0 ? e.total() * 1e12 / bits : 0;
  }
};

class MemorySystem {
 public:
  // `channel_bits`: global address bit positions forming the channel index, lowest first (empty: one channel
  // per spec when channels == 1).
  MemorySystem(const DramSpec& spec, int channels, std::vector<int> channel_bits, InjectionModel injection);

  // Runs the stream to completion. `next` fills the next access and returns false at the end.
  SystemResult run(const std::function<bool(Access&)>& next);

  int channels() const { return int(ctrl_.size()); }
  const DramSpec& spec() const { return spec_; }
  int channel_of(uint64_t addr) const;
  uint64_t local_address(uint64_t addr) const;

  // Ramulator-style channel interleave: channel index from the bits just above `interleave_bytes`.
  static std::vector<int> interleave_bits(int channels, uint64_t interleave_bytes);

 private:
  DramSpec spec_;
  std::vector<std::unique_ptr<ChannelController>> ctrl_;
  std::vector<int> channel_bits_;
  uint64_t channel_mask_ = 0;
  InjectionModel inj_;
};

}  // namespace llmx::dram
