// DRAM device and controller description for one channel: organisation (pseudo-channels, ranks or stack IDs,
// bank groups, banks, rows, columns, bus width, burst length), JEDEC timing (read in clocks or ns at the tCK
// the data rate gives, timing_reader.h; held here in ns and converted to controller ticks), command-bus
// shape (one shared bus as in LPDDR/DDR, or separate row and column buses as in HBM), LPDDR5 specifics
// (two-part activate, WCK2CK sync), controller settings (queues, row policy, refresh) and
// per-operation energies (dram_energy.h). Plain C++, no SystemC.
// Left out: power-down and self-refresh states, on-die ECC, data-bus inversion, mode registers, ZQ
// calibration, rank-to-rank switching gaps other than read-to-read (HBM3 tCCDR is modelled) and write data
// masking.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/core/params.h"
#include "models/memory/dram/address_mapping.h"
#include "models/memory/dram/dram_energy.h"

namespace llmx::dram {

struct Organisation {
  int pseudo_channels = 1;  // independent data buses sharing one command interface (HBM2 and later)
  int ranks = 1;            // ranks, or stack IDs (HBM3 SID): banks multiplied, data bus shared
  int bank_groups = 1;      // per rank
  int banks_per_group = 1;
  int64_t rows = 0;      // per bank
  int page_bytes = 0;    // row (page) size per bank in bytes, as seen on this channel's data bus
  int dq_bits = 0;       // data bus width per pseudo-channel
  int burst_length = 0;  // beats per burst

  int tx_bytes() const { return dq_bits * burst_length / 8; }  // bytes moved by one RD/WR
  int banks_per_pc() const { return ranks * bank_groups * banks_per_group; }
  int total_banks() const { return pseudo_channels * banks_per_pc(); }
  int columns_per_row() const { return page_bytes / tx_bytes(); }  // bursts per row
  uint64_t capacity_bytes() const { return uint64_t(total_banks()) * uint64_t(rows) * uint64_t(page_bytes); }
};

// All times in ns except where named _ck (cycles of the command clock tCK).
struct Timing {
  double data_rate_mtps = 0;  // per data pin
  double tck_ns = 0;          // command clock period
  int ticks_per_ck = 1;       // controller ticks per tCK (2 = half-cycle ticks, as HBM3 row commands need)
  double trcd_rd_ns = 0, trcd_wr_ns = 0, trp_ns = 0, trp_ab_ns = 0, tras_ns = 0, trc_ns = 0;
  double rl_ns = 0, wl_ns = 0;  // read latency (CL/RL) and write latency (CWL/WL)
  double tccd_s_ns = 0, tccd_l_ns = 0, trrd_s_ns = 0, trrd_l_ns = 0, tfaw_ns = 0;
  double tccd_r_ns = 0;  // RD to RD on another rank or stack ID (HBM3 tCCDR); 0: only tCCD_S applies
  double twr_ns = 0, twtr_s_ns = 0, twtr_l_ns = 0, trtp_ns = 0, tppd_ns = 0;
  double rtw_gap_ck = 2;  // extra read-to-write bus turnaround beyond RL+BL-WL, in tCK
  double trfc_ab_ns = 0, trfc_pb_ns = 0, trefi_ns = 0, trefi_pb_ns = 0, trrefd_ns = 0;
  // Command-bus occupancy in tCK per command.
  double act_ck = 1, pre_ck = 1, rd_ck = 1, wr_ck = 1, ref_ck = 1;
  bool split_activate = false;  // LPDDR5 ACT-1/ACT-2: the second part must follow within taad_ck
  double taad_ck = 0;
  bool wck_sync = false;  // LPDDR5: a CAS (WCK2CK sync) command precedes RD/WR once WCK has stopped
  double wckpst_ck = 0;   // WCK postamble kept after the last burst

  double burst_ns() const { return burst_length_cache / data_rate_mtps * 1000.0; }
  int burst_length_cache = 0;  // copied from the organisation by finalise()
};

enum class CommandBus { single, dual };  // one CA bus, or separate row and column buses (HBM)
enum class RowPolicy { open, closed };
enum class RefreshMode { none, all_bank, per_bank };

struct ControllerConfig {
  CommandBus bus = CommandBus::single;
  RowPolicy row_policy = RowPolicy::open;
  RefreshMode refresh = RefreshMode::all_bank;
  int read_queue = 32;  // requests waiting to be scheduled, per channel
  int write_queue = 32;
  int per_bank_queue = 0;  // >0: bank-wise buffers of this depth instead of one channel queue (DRAMSys)
  double write_high_watermark = 0.8, write_low_watermark = 0.2;
};

struct DramSpec {
  std::string standard;  // e.g. "LPDDR5"
  Organisation org;
  Timing timing;
  Energy energy;
  ControllerConfig ctrl;
  AddressMapping mapping;  // channel-local address -> pseudo-channel, rank, bank group, bank, row, column

  // Peak data bandwidth of the channel (all pseudo-channels), bytes per second.
  double peak_bytes_per_s() const {
    return double(org.pseudo_channels) * org.dq_bits / 8.0 * timing.data_rate_mtps * 1e6;
  }
  double tick_ns() const { return timing.tck_ns / timing.ticks_per_ck; }
};

// Timing in controller ticks, derived from a spec (each ns value rounded up to whole ticks).
struct TickTiming {
  int64_t rcd_rd, rcd_wr, rp, rp_ab, ras, rc, rl, wl, bl, ccd_s, ccd_l, ccd_r, rrd_s, rrd_l, faw, wr, wtr_s,
      wtr_l, rtp, ppd, rtw_gap, rfc_ab, rfc_pb, refi, refi_pb, rrefd;
  int64_t act_bus, pre_bus, rd_bus, wr_bus, ref_bus, aad, wckpst;
  int64_t read_latency() const { return rl + bl; }
};
TickTiming to_ticks(const DramSpec& spec);

// Checks the spec for consistency; throws llmx::Error naming `where` and the offending key.
void validate(const DramSpec& spec, const std::string& where);

// Reads a spec from an instance's parameters (the preset file included into the instance's map), with keys:
//   standard, organisation{...}, timing{...}, energy{...}, controller{...}, address_mapping.
// Every key carries its unit; errors are one line naming file:line and key.
DramSpec read_dram_spec(Params& p);

}  // namespace llmx::dram
