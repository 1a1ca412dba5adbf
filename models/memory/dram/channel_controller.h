// Command-level model of one DRAM channel and its controller: per-bank state machines (open row,
// ACT/PRE/RD/WR timing), bank-group and pseudo-channel constraints (tCCD_S/L, tRRD_S/L, tFAW, data-bus
// occupancy, read/write turnaround), all-bank and per-bank refresh, open or closed row policy, and an FR-FCFS
// scheduler (oldest ready command first; requests whose row was opened for them are served before new ones;
// refresh holds off new work). One command per bus per tick, on one shared bus (LPDDR, DDR) or separate row
// and column buses (HBM); LPDDR5's two-part activate and WCK2CK sync commands are modelled. Time advances
// only to ticks at which some command can issue, so idle stretches cost nothing. A read after a read to
// another rank or stack ID waits tCCD_R (HBM3's stack-ID switching gap). Left out: power-down, self-refresh,
// refresh postponing/pull-in, write-to-read forwarding of data, ECC, rank switching gaps other than
// read-to-read, command/address parity and the PHY's own latency.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "models/memory/dram/dram_spec.h"

namespace llmx::dram {

struct ChannelCounters {
  uint64_t reads = 0, writes = 0;          // bursts
  uint64_t activates = 0, precharges = 0;  // PRE and PREA (per bank closed)
  uint64_t refresh_ab = 0, refresh_pb = 0;
  uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;  // per request, at its first command
  uint64_t cas_syncs = 0;
  // Ticks with at least one bank open or refreshing, summed over pseudo-channels (active vs precharge standby
  // power; DRAMPower counts the refresh window as active).
  int64_t active_ticks = 0;
  double row_hit_rate() const {
    const uint64_t outcomes = row_hits + row_misses + row_conflicts;
    return outcomes ? double(row_hits) / double(outcomes) : 0;
  }
};

// A request completes: id given at enqueue, tick its last data beat is on the bus (reads) or its write
// command issued (writes).
using CompletionFn = std::function<void(uint64_t id, int64_t done_tick, bool is_write)>;

// Every command the controller issues, for checking timing rules (tests) and command traces.
enum class CommandKind : uint8_t { act, act2, pre, prea, rd, wr, rda, wra, refab, refpb, cas };
struct CommandRecord {
  int64_t tick;
  CommandKind kind;
  int pc;
  int bank;        // flat bank index within the channel (-1 for PC-wide commands)
  int bank_group;  // flat bank-group index within the channel (-1 for PC-wide commands)
  int64_t row;
};
using CommandLogFn = std::function<void(const CommandRecord&)>;

class ChannelController {
 public:
  explicit ChannelController(const DramSpec& spec);

  const DramSpec& spec() const { return spec_; }
  const TickTiming& ticks() const { return t_; }

  // Whether a request to this channel-local address can be queued now.
  bool can_accept(uint64_t addr, bool is_write) const;
  // Queues a request at tick `now` (must be >= the last tick passed to tick()).
  void enqueue(uint64_t id, uint64_t addr, bool is_write, int64_t now);
  // Runs the controller for tick `now` (ticks must be non-decreasing): issues at most one command per bus.
  void tick(int64_t now);
  // The earliest tick at which tick() could do something (INT64_MAX when idle with nothing queued and no
  // refresh due... refresh is always due eventually, so only when refresh is off).
  int64_t next_wake() const { return wake_; }
  bool idle() const;  // nothing queued or waiting for a command
  int queued() const { return int(live_.size()); }

  void set_completion(CompletionFn fn) { on_complete_ = std::move(fn); }
  void set_command_log(CommandLogFn fn) { on_command_ = std::move(fn); }
  const ChannelCounters& counters() const { return c_; }
  // The counters with the open-bank time of pseudo-channels still holding a row counted up to `now`.
  ChannelCounters counters_at(int64_t now) const;

 private:
  enum Cmd : uint8_t { ACT, ACT2, PRE, PREA, RD, WR, RDA, WRA, REFAB, REFPB, CAS, NONE };
  enum Buffer : uint8_t { kRead, kWrite, kActive, kActivating, kPriority };

  struct Req {
    uint64_t id;
    int64_t arrive;
    uint64_t seq;            // arrival order
    int pc, bg_index, bank;  // bg_index/bank: flat within the channel
    int64_t row;
    bool is_write;
    bool stat_done;
    Buffer where;
    Cmd cmd;        // command computed this tick
    int64_t ready;  // tick the command can issue
  };
  struct Bank {
    int64_t open_row = -1;
    int64_t act = 0, pre = 0, rd = 0, wr = 0, refpb = 0;
    int active_reqs = 0;  // requests in the active/activating buffers for this bank
    bool activating = false;
    int64_t act2_deadline = 0;
    int pc = 0, bg = 0, rank = 0;
  };
  struct Group {
    int64_t act = 0, rd = 0, wr = 0;
  };
  struct Pc {
    int64_t act = 0, rd = 0, wr = 0, pre = 0, prea = 0, ref = 0;
    int64_t faw[4] = {INT64_MIN / 4, INT64_MIN / 4, INT64_MIN / 4, INT64_MIN / 4};
    int faw_pos = 0;
    int open_banks = 0;
    std::vector<int64_t> rd_by_rank;  // issue tick of the last RD to each rank (tCCD_R)
    // Active-standby accounting: the current stretch in which a bank is open or refreshing starts at
    // span_start (-1: none) and, once no bank is open, ends at span_end (the latest precharge start or
    // refresh end).
    int64_t span_start = -1, span_end = 0;
    int active_reqs = 0;
  };
  struct Maint {    // refresh request in the priority buffer
    Cmd final_cmd;  // REFAB or REFPB
    int pc;
    int bank;  // REFPB only
  };

  Cmd prereq(const Req& r) const;
  int64_t rank_switch_ready(const Pc& p, int rank) const;  // earliest RD to `rank` after the other ranks' RDs
  int64_t ready_at(Cmd cmd, const Req* r, int pc, int bank) const;
  bool is_row_cmd(Cmd c) const {
    return c == ACT || c == ACT2 || c == PRE || c == PREA || c == REFAB || c == REFPB;
  }
  bool closing(Cmd c) const { return c == PRE || c == PREA || c == RDA || c == WRA; }
  void issue(Cmd cmd, int pc, int bank, int64_t row, int64_t now);
  void bank_opened(Pc& p, int64_t now);
  // A pseudo-channel turns active at `now` until `until` (a refresh), or while a bank is open (until < 0).
  void active_from(Pc& p, int64_t now, int64_t until);
  // Closes a bank whose precharge starts at `closed_at` and takes `precharge` ticks (PRE, PREA, RDA, WRA).
  void close_bank(Bank& b, Pc& p, int64_t closed_at, int64_t precharge);
  void issue_for(size_t slot, Cmd cmd, int64_t now);
  void retire(size_t slot, int64_t now);
  bool pick_slot(int64_t now, int bus);  // bus: 0 = column (or single), 1 = row
  bool pending_act2() const { return act2_pending_ > 0; }
  void refresh_tick(int64_t now);
  void maint_command(const Maint& m, Cmd* cmd, int64_t* ready) const;
  int64_t bus_free(Cmd c) const;
  void update_wake(int64_t now, bool issued);
  bool row_wanted(int bank, int64_t row, size_t except) const;

  DramSpec spec_;
  TickTiming t_;
  std::vector<Bank> banks_;
  std::vector<Group> groups_;
  std::vector<Pc> pcs_;
  std::vector<Req> live_;              // all requests not yet retired (any buffer), in arrival order
  std::vector<int> per_bank_waiting_;  // requests queued per bank (read+write buffers), for per_bank_queue
  int reads_waiting_ = 0, writes_waiting_ = 0;
  std::vector<Maint> priority_;
  int64_t next_refresh_ = 0;
  int next_refpb_bank_ = 0;
  int64_t row_bus_free_ = 0, col_bus_free_ = 0;
  int64_t wck_expiry_ = 0;
  int64_t cas_pending_seq_ = -1;  // request whose CAS issued last tick: its RD/WR goes next
  int act2_pending_ = 0;
  bool write_mode_ = false;
  uint64_t seq_ = 0;
  int64_t wake_ = 0;
  int64_t last_tick_ = -1;
  ChannelCounters c_;
  CompletionFn on_complete_;
  CommandLogFn on_command_;
};

}  // namespace llmx::dram
