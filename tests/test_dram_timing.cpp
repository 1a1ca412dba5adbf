// Timing rules of the command-level DRAM controller: every command it issues is logged and checked against
// the JEDEC constraints it models (tRCD, tRAS, tRC, tRP, tRTP, write recovery, tRRD_S/L, tFAW windows,
// tCCD_S/L/R and data-bus occupancy, tRFC blocking after all-bank and per-bank refresh, one command per bus
// per tick), under mixed random/sequential read/write traffic, for a single-bus LPDDR5 channel (two-part ACT,
// WCK sync) and a dual-bus HBM3 channel.
#include <catch2/catch.hpp>

#include <map>

#include "models/memory/dram/channel_controller.h"
#include "tests/dram_reference_systems.h"

using namespace llmx::dram;

namespace {

std::vector<CommandRecord> drive(const DramSpec& spec, uint64_t requests, double write_share, uint64_t seed) {
  ChannelController c(spec);
  std::vector<CommandRecord> log;
  c.set_command_log([&](const CommandRecord& r) { log.push_back(r); });
  uint64_t done = 0;
  c.set_completion([&](uint64_t, int64_t, bool) { ++done; });
  uint64_t x = seed, sent = 0, seq_addr = 0;
  const uint64_t cap = spec.org.capacity_bytes() / 64;
  int64_t now = 0;
  while (done < requests) {
    while (sent < requests) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const bool w = double(x % 1000) < write_share * 1000;
      const uint64_t addr = (x >> 20) % 4 == 0 ? ((x >> 24) % cap) * 64 : (seq_addr += 32);
      if (!c.can_accept(addr, w)) break;
      c.enqueue(sent++, addr, w, now);
    }
    c.tick(now);
    now = std::max(now + 1, c.next_wake());
  }
  return log;
}

void check_rules(const DramSpec& spec, const std::vector<CommandRecord>& log) {
  const TickTiming t = to_ticks(spec);
  const int64_t never = -(int64_t(1) << 40);
  struct BankT {
    int64_t act = never, pre = never, rd = never, wr = never, ref = never;
  };
  std::map<int, BankT> bank;
  std::map<int, int64_t> bg_act, bg_rd;
  std::map<int, std::vector<int64_t>> pc_acts;
  std::map<int, int64_t> pc_rd, pc_refab, pc_act_last;
  std::map<std::pair<int, int>, int64_t> rank_rd;  // (pc, rank) -> last RD
  int64_t last_row_bus = never, last_col_bus = never;
  const bool single = spec.ctrl.bus == CommandBus::single;
  const int per_pc = spec.org.banks_per_pc();
  uint64_t checked_act_rd = 0, checked_faw = 0, checked_rfc = 0;
  for (const auto& c : log) {
    const bool row_cmd = c.kind == CommandKind::act || c.kind == CommandKind::act2 ||
                         c.kind == CommandKind::pre || c.kind == CommandKind::prea ||
                         c.kind == CommandKind::refab || c.kind == CommandKind::refpb;
    int64_t& bus = (single || row_cmd) ? last_row_bus : last_col_bus;
    if (single) last_col_bus = last_row_bus;
    REQUIRE(c.tick > bus);  // at most one command per bus per tick
    bus = c.tick;
    if (single) last_col_bus = c.tick;
    switch (c.kind) {
      case CommandKind::act: {
        BankT& b = bank[c.bank];
        CHECK(c.tick - b.act >= t.rc);
        CHECK(c.tick - b.pre >= t.rp);
        CHECK(c.tick - b.ref >= t.rfc_pb);
        CHECK(c.tick - pc_refab.try_emplace(c.pc, never).first->second >= t.rfc_ab);
        ++checked_rfc;
        auto& acts = pc_acts[c.pc];
        if (!acts.empty()) CHECK(c.tick - acts.back() >= t.rrd_s);
        if (acts.size() >= 4) {
          CHECK(c.tick - acts[acts.size() - 4] >= t.faw);  // at most four ACTs in any tFAW window
          ++checked_faw;
        }
        acts.push_back(c.tick);
        CHECK(c.tick - bg_act.try_emplace(c.bank_group, never).first->second >= t.rrd_l);
        bg_act[c.bank_group] = c.tick;
        b.act = c.tick;
        break;
      }
      case CommandKind::pre: {
        BankT& b = bank[c.bank];
        CHECK(c.tick - b.act >= t.ras);
        CHECK(c.tick - b.rd >= t.rtp);
        CHECK(c.tick - b.wr >= t.wl + t.bl + t.wr);
        b.pre = c.tick;
        break;
      }
      case CommandKind::prea:
        for (int i = c.pc * per_pc; i < (c.pc + 1) * per_pc; ++i) {
          BankT& b = bank[i];
          if (b.act > b.pre) {  // open bank
            CHECK(c.tick - b.act >= t.ras);
            CHECK(c.tick - b.rd >= t.rtp);
          }
          b.pre = c.tick;
        }
        break;
      case CommandKind::rd:
      case CommandKind::rda:
      case CommandKind::wr:
      case CommandKind::wra: {
        BankT& b = bank[c.bank];
        const bool rd = c.kind == CommandKind::rd || c.kind == CommandKind::rda;
        CHECK(c.tick - b.act >= (rd ? t.rcd_rd : t.rcd_wr));  // tRCD between ACT and RD/WR to one bank
        ++checked_act_rd;
        CHECK(b.act > b.pre);  // the row is open
        if (rd) {
          CHECK(c.tick - pc_rd.try_emplace(c.pc, never).first->second >= std::max(t.ccd_s, t.bl));
          CHECK(c.tick - bg_rd.try_emplace(c.bank_group, never).first->second >= t.ccd_l);
          // tCCD_R: a read after a read to another rank or stack ID of the pseudo-channel.
          const int rank = c.bank_group / spec.org.bank_groups % spec.org.ranks;
          for (int o = 0; o < spec.org.ranks; ++o)
            if (o != rank) CHECK(c.tick - rank_rd.try_emplace({c.pc, o}, never).first->second >= t.ccd_r);
          rank_rd[{c.pc, rank}] = c.tick;
          pc_rd[c.pc] = c.tick;
          bg_rd[c.bank_group] = c.tick;
          b.rd = c.tick;
        } else {
          b.wr = c.tick;
        }
        // Auto-precharge closes the row once tRTP (reads) or write recovery (writes) has passed.
        if (c.kind == CommandKind::rda) b.pre = c.tick + t.rtp;
        if (c.kind == CommandKind::wra) b.pre = c.tick + t.wl + t.bl + t.wr;
        break;
      }
      case CommandKind::refab:
        for (int i = c.pc * per_pc; i < (c.pc + 1) * per_pc; ++i) {
          CHECK(bank[i].pre >= bank[i].act);  // all banks closed
          CHECK(c.tick - bank[i].pre >= t.rp);
        }
        pc_refab[c.pc] = c.tick;
        break;
      case CommandKind::refpb: {
        BankT& b = bank[c.bank];
        CHECK(b.pre >= b.act);
        b.ref = c.tick;
        break;
      }
      default:
        break;
    }
  }
  CHECK(checked_act_rd > 100);
  CHECK(checked_faw > 100);
  CHECK(checked_rfc > 100);
}

}  // namespace

TEST_CASE("dram timing: LPDDR5 command stream respects JEDEC constraints (all-bank refresh)",
          "[dram][timing]") {
  const auto s = reference::ramulator_lpddr5_6400(true).spec;
  const auto log = drive(s, 60000, 0.3, 7);
  size_t refs = 0, act2 = 0, cas = 0;
  for (const auto& c : log) {
    refs += c.kind == CommandKind::refab;
    act2 += c.kind == CommandKind::act2;
    cas += c.kind == CommandKind::cas;
  }
  CHECK(refs > 2);
  CHECK(act2 > 100);  // two-part activate exercised
  CHECK(cas > 0);     // WCK sync exercised
  check_rules(s, log);
}

TEST_CASE("dram timing: LPDDR5 with per-bank refresh and closed rows", "[dram][timing]") {
  auto s = reference::ramulator_lpddr5_6400(true).spec;
  s.ctrl.refresh = RefreshMode::per_bank;
  s.ctrl.row_policy = RowPolicy::closed;
  const auto log = drive(s, 40000, 0.2, 11);
  size_t refpb = 0, rda = 0;
  for (const auto& c : log) {
    refpb += c.kind == CommandKind::refpb;
    rda += c.kind == CommandKind::rda;
  }
  CHECK(refpb > 16);
  CHECK(rda > 100);
  check_rules(s, log);
}

TEST_CASE("dram timing: HBM3 dual command bus respects JEDEC constraints", "[dram][timing]") {
  const auto s = reference::ramulator_hbm3_6400(true).spec;
  const auto log = drive(s, 60000, 0.3, 13);
  check_rules(s, log);
}

TEST_CASE("dram timing: a single read to a closed bank waits tRCD + RL + burst", "[dram][timing]") {
  auto s = reference::ramulator_hbm2_2000(false).spec;
  ChannelController c(s);
  int64_t done_tick = -1;
  c.set_completion([&](uint64_t, int64_t t, bool) { done_tick = t; });
  c.enqueue(0, 0, false, 0);
  for (int64_t now = 0; done_tick < 0 && now < 1000; now = std::max(now + 1, c.next_wake())) c.tick(now);
  const TickTiming t = to_ticks(s);
  CHECK(done_tick == t.rcd_rd + t.rl + t.bl);  // ACT at tick 0
}
