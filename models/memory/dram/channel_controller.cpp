// Command-level model of one DRAM channel and its FR-FCFS controller (see channel_controller.h).
// Left out: power-down, self-refresh, refresh postponing, rank switching gaps other than read-to-read.
#include "models/memory/dram/channel_controller.h"

#include <algorithm>
#include <climits>

namespace llmx::dram {

namespace {
constexpr int64_t kNever = INT64_MAX / 4;
}

ChannelController::ChannelController(const DramSpec& spec) : spec_(spec), t_(to_ticks(spec)) {
  const auto& o = spec_.org;
  banks_.resize(o.total_banks());
  groups_.resize(o.pseudo_channels * o.ranks * o.bank_groups);
  pcs_.resize(o.pseudo_channels);
  for (Pc& p : pcs_) p.rd_by_rank.assign(size_t(o.ranks), -kNever);
  for (int i = 0; i < o.total_banks(); ++i) {
    banks_[i].pc = i / o.banks_per_pc();
    banks_[i].bg = i / o.banks_per_group;
    banks_[i].rank = banks_[i].bg / o.bank_groups % o.ranks;
  }
  per_bank_waiting_.assign(banks_.size(), 0);
  next_refresh_ = spec_.ctrl.refresh == RefreshMode::all_bank   ? t_.refi
                  : spec_.ctrl.refresh == RefreshMode::per_bank ? t_.refi_pb
                                                                : kNever;
  wake_ = kNever;
}

bool ChannelController::row_wanted(int bank, int64_t row, size_t except_seq) const {
  for (const Req& o : live_)
    if (o.seq != except_seq && o.bank == bank && o.row == row) return true;
  return false;
}

bool ChannelController::idle() const {
  return live_.empty() && priority_.empty() && cas_pending_seq_ < 0;
}

bool ChannelController::can_accept(uint64_t addr, bool is_write) const {
  if (spec_.ctrl.per_bank_queue > 0) {
    const DecodedAddress d = spec_.mapping.decode(addr);
    const auto& o = spec_.org;
    const int bank =
        ((d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group) * o.banks_per_group + d.bank;
    return per_bank_waiting_[bank] < spec_.ctrl.per_bank_queue;
  }
  return is_write ? writes_waiting_ < spec_.ctrl.write_queue : reads_waiting_ < spec_.ctrl.read_queue;
}

void ChannelController::enqueue(uint64_t id, uint64_t addr, bool is_write, int64_t now) {
  const DecodedAddress d = spec_.mapping.decode(addr);
  const auto& o = spec_.org;
  Req r{};
  r.id = id;
  r.arrive = now;
  r.seq = seq_++;
  r.pc = d.pseudo_channel;
  r.bg_index = (d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group;
  r.bank = r.bg_index * o.banks_per_group + d.bank;
  r.row = d.row % o.rows;
  r.is_write = is_write;
  r.stat_done = false;
  r.where = is_write ? kWrite : kRead;
  r.cmd = NONE;
  r.ready = 0;
  live_.push_back(r);
  ++per_bank_waiting_[r.bank];
  (is_write ? writes_waiting_ : reads_waiting_)++;
  wake_ = std::min(wake_, now);
}

ChannelController::Cmd ChannelController::prereq(const Req& r) const {
  if (r.where == kActivating) return ACT2;
  const Bank& b = banks_[r.bank];
  if (b.open_row == r.row) {
    // Closed-page: auto-precharge unless another queued request wants this row.
    if (spec_.ctrl.row_policy == RowPolicy::closed && !row_wanted(r.bank, r.row, r.seq))
      return r.is_write ? WRA : RDA;
    return r.is_write ? WR : RD;
  }
  if (b.open_row < 0) return ACT;
  return PRE;
}

int64_t ChannelController::bus_free(Cmd c) const {
  if (spec_.ctrl.bus == CommandBus::single) return std::max(row_bus_free_, col_bus_free_);
  return is_row_cmd(c) ? row_bus_free_ : col_bus_free_;
}

int64_t ChannelController::rank_switch_ready(const Pc& p, int rank) const {
  int64_t t = 0;
  if (t_.ccd_r <= 0) return t;
  for (size_t o = 0; o < p.rd_by_rank.size(); ++o)
    if (int(o) != rank) t = std::max(t, p.rd_by_rank[o] + t_.ccd_r);
  return t;
}

int64_t ChannelController::ready_at(Cmd cmd, const Req* r, int pc, int bank) const {
  const Pc& p = pcs_[pc];
  switch (cmd) {
    case ACT: {
      const Bank& b = banks_[bank];
      return std::max({b.act, groups_[b.bg].act, p.act, p.faw[p.faw_pos] + t_.faw, bus_free(ACT)});
    }
    case ACT2:
      return bus_free(ACT2);
    case PRE:
      return std::max({banks_[bank].pre, p.pre, bus_free(PRE)});
    case RD:
    case RDA: {
      const Bank& b = banks_[bank];
      if (b.activating) return kNever;
      return std::max({b.rd, groups_[b.bg].rd, p.rd, rank_switch_ready(p, b.rank), bus_free(RD)});
    }
    case WR:
    case WRA: {
      const Bank& b = banks_[bank];
      if (b.activating) return kNever;
      return std::max({b.wr, groups_[b.bg].wr, p.wr, bus_free(WR)});
    }
    case PREA: {
      int64_t t = std::max({p.prea, p.pre, bus_free(PREA)});
      const int per = spec_.org.banks_per_pc();
      for (int i = pc * per; i < (pc + 1) * per; ++i)
        if (banks_[i].open_row >= 0) t = std::max(t, banks_[i].pre);
      return t;
    }
    case REFAB:
      return std::max(p.ref, bus_free(REFAB));
    case REFPB:
      return std::max({banks_[bank].refpb, banks_[bank].act, p.act, bus_free(REFPB)});
    default:
      return kNever;
  }
}

void ChannelController::maint_command(const Maint& m, Cmd* cmd, int64_t* ready) const {
  if (m.final_cmd == REFAB) {
    *cmd = pcs_[m.pc].open_banks > 0 ? PREA : REFAB;
    *ready = ready_at(*cmd, nullptr, m.pc, 0);
  } else {
    *cmd = banks_[m.bank].open_row >= 0 ? PRE : REFPB;
    *ready = ready_at(*cmd, nullptr, m.pc, m.bank);
  }
}

void ChannelController::active_from(Pc& p, int64_t now, int64_t until) {
  if (p.span_start >= 0 && p.open_banks == 0 && now > p.span_end) {  // the previous stretch has ended
    c_.active_ticks += p.span_end - p.span_start;
    p.span_start = -1;
  }
  if (p.span_start < 0) p.span_start = p.span_end = now;
  if (until >= 0) p.span_end = std::max(p.span_end, until);
}

void ChannelController::bank_opened(Pc& p, int64_t now) {
  active_from(p, now, -1);
  ++p.open_banks;
}

void ChannelController::close_bank(Bank& b, Pc& p, int64_t closed_at, int64_t precharge) {
  b.open_row = -1;
  const int64_t ready = closed_at + precharge;
  b.act = std::max(b.act, ready);
  b.refpb = std::max(b.refpb, ready);
  p.ref = std::max(p.ref, ready);
  ++c_.precharges;
  --p.open_banks;
  p.span_end = std::max(p.span_end, closed_at);
}

ChannelCounters ChannelController::counters_at(int64_t now) const {
  ChannelCounters c = c_;
  for (const Pc& p : pcs_) {
    if (p.span_start < 0) continue;
    const int64_t end = p.open_banks > 0 ? now : std::min(p.span_end, now);
    c.active_ticks += std::max<int64_t>(0, end - p.span_start);
  }
  return c;
}

void ChannelController::issue(Cmd cmd, int pc, int bank, int64_t row, int64_t now) {
  Pc& p = pcs_[pc];
  if (on_command_) {
    const bool wide = cmd == PREA || cmd == REFAB;
    on_command_(
        {now, static_cast<CommandKind>(cmd), pc, wide ? -1 : bank, wide ? -1 : banks_[size_t(bank)].bg, row});
  }
  int64_t occupancy = 1;
  switch (cmd) {
    case ACT: {
      Bank& b = banks_[bank];
      Group& g = groups_[b.bg];
      b.open_row = row;
      b.rd = std::max(b.rd, now + t_.rcd_rd);
      b.wr = std::max(b.wr, now + t_.rcd_wr);
      b.pre = std::max(b.pre, now + t_.ras);
      b.act = std::max(b.act, now + t_.rc);
      b.refpb = std::max(b.refpb, now + t_.rc);
      g.act = std::max(g.act, now + t_.rrd_l);
      p.act = std::max(p.act, now + t_.rrd_s);
      p.faw[p.faw_pos] = now;
      p.faw_pos = (p.faw_pos + 1) & 3;
      p.ref = std::max(p.ref, now + t_.rc);
      bank_opened(p, now);
      ++c_.activates;
      if (spec_.timing.split_activate) {
        b.activating = true;
        b.act2_deadline = now + t_.aad;
        ++act2_pending_;
      }
      occupancy = t_.act_bus;
      break;
    }
    case ACT2: {
      Bank& b = banks_[bank];
      b.activating = false;
      --act2_pending_;
      occupancy = t_.act_bus;
      break;
    }
    case PRE: {
      close_bank(banks_[bank], p, now, t_.rp);
      p.pre = std::max(p.pre, now + t_.ppd);
      occupancy = t_.pre_bus;
      break;
    }
    case PREA: {
      const int per = spec_.org.banks_per_pc();
      for (int i = pc * per; i < (pc + 1) * per; ++i)
        if (banks_[i].open_row >= 0) close_bank(banks_[i], p, now, t_.rp_ab);
      p.ref = std::max(p.ref, now + t_.rp_ab);
      p.pre = std::max(p.pre, now + t_.ppd);
      occupancy = t_.pre_bus;
      break;
    }
    case RD:
    case RDA: {
      Bank& b = banks_[bank];
      Group& g = groups_[b.bg];
      b.pre = std::max(b.pre, now + t_.rtp);
      g.rd = std::max(g.rd, now + t_.ccd_l);
      p.rd = std::max(p.rd, now + std::max(t_.ccd_s, t_.bl));
      p.wr = std::max(p.wr, now + t_.rl + t_.bl + t_.rtw_gap - t_.wl);
      p.rd_by_rank[size_t(b.rank)] = now;
      ++c_.reads;
      if (spec_.timing.wck_sync) wck_expiry_ = std::max(wck_expiry_, now + t_.rl + t_.bl + t_.wckpst);
      if (cmd == RDA) close_bank(b, p, now + t_.rtp, t_.rp);
      occupancy = t_.rd_bus;
      break;
    }
    case WR:
    case WRA: {
      Bank& b = banks_[bank];
      Group& g = groups_[b.bg];
      const int64_t wr_end = now + t_.wl + t_.bl + t_.wr;
      b.pre = std::max(b.pre, wr_end);
      g.wr = std::max(g.wr, now + t_.ccd_l);
      g.rd = std::max(g.rd, now + t_.wl + t_.bl + t_.wtr_l);
      p.wr = std::max(p.wr, now + std::max(t_.ccd_s, t_.bl));
      p.rd = std::max(p.rd, now + t_.wl + t_.bl + t_.wtr_s);
      ++c_.writes;
      if (spec_.timing.wck_sync) wck_expiry_ = std::max(wck_expiry_, now + t_.wl + t_.bl + t_.wckpst);
      if (cmd == WRA) close_bank(b, p, wr_end, t_.rp);
      occupancy = t_.wr_bus;
      break;
    }
    case REFAB: {
      const int per = spec_.org.banks_per_pc();
      for (int i = pc * per; i < (pc + 1) * per; ++i) {
        banks_[i].act = std::max(banks_[i].act, now + t_.rfc_ab);
        banks_[i].refpb = std::max(banks_[i].refpb, now + t_.rfc_ab);
      }
      p.ref = std::max(p.ref, now + t_.rfc_ab);
      p.prea = std::max(p.prea, now + t_.rfc_ab);
      active_from(p, now, now + t_.rfc_ab);
      ++c_.refresh_ab;
      occupancy = t_.ref_bus;
      break;
    }
    case REFPB: {
      Bank& b = banks_[bank];
      b.act = std::max(b.act, now + t_.rfc_pb);
      b.refpb = std::max(b.refpb, now + t_.rfc_pb);
      p.act = std::max(p.act, now + t_.rrefd);
      p.ref = std::max(p.ref, now + t_.rfc_pb);
      active_from(p, now, now + t_.rfc_pb);
      ++c_.refresh_pb;
      occupancy = t_.ref_bus;
      break;
    }
    case CAS:
      ++c_.cas_syncs;
      occupancy = t_.rd_bus;
      break;
    default:
      break;
  }
  if (spec_.ctrl.bus == CommandBus::single) {
    row_bus_free_ = col_bus_free_ = now + occupancy;
  } else if (is_row_cmd(cmd)) {
    row_bus_free_ = now + occupancy;
  } else {
    col_bus_free_ = now + occupancy;
  }
}

void ChannelController::retire(size_t slot, int64_t now) {
  Req r = live_[slot];
  if (r.where == kActive) {
    --banks_[r.bank].active_reqs;
    --pcs_[r.pc].active_reqs;
  } else {
    --per_bank_waiting_[r.bank];
    (r.is_write ? writes_waiting_ : reads_waiting_)--;
  }
  live_.erase(live_.begin() + long(slot));
  const int64_t done = r.is_write ? now + t_.wl + t_.bl : now + t_.rl + t_.bl;
  if (on_complete_) on_complete_(r.id, done, r.is_write);
}

void ChannelController::issue_for(size_t slot, Cmd cmd, int64_t now) {
  Req& r = live_[slot];
  if (!r.stat_done) {
    r.stat_done = true;
    if (cmd == ACT)
      ++c_.row_misses;
    else if (cmd == PRE)
      ++c_.row_conflicts;
    else
      ++c_.row_hits;
  }
  issue(cmd, r.pc, r.bank, r.row, now);
  switch (cmd) {
    case ACT:
      // The request leaves the read/write buffer and waits in the active (or activating) buffer.
      --per_bank_waiting_[r.bank];
      (r.is_write ? writes_waiting_ : reads_waiting_)--;
      ++banks_[r.bank].active_reqs;
      ++pcs_[r.pc].active_reqs;
      r.where = spec_.timing.split_activate ? kActivating : kActive;
      break;
    case ACT2:
      r.where = kActive;
      break;
    case RD:
    case RDA:
    case WR:
    case WRA:
      retire(slot, now);
      break;
    default:
      break;
  }
}

void ChannelController::refresh_tick(int64_t now) {
  while (now >= next_refresh_) {
    if (spec_.ctrl.refresh == RefreshMode::all_bank) {
      for (int pc = 0; pc < spec_.org.pseudo_channels; ++pc) priority_.push_back({REFAB, pc, 0});
      next_refresh_ += t_.refi;
    } else {
      const int bank = next_refpb_bank_;
      next_refpb_bank_ = (next_refpb_bank_ + 1) % int(banks_.size());
      priority_.push_back({REFPB, banks_[bank].pc, bank});
      next_refresh_ += t_.refi_pb;
    }
  }
}

bool ChannelController::pick_slot(int64_t now, int bus) {
  const bool single = spec_.ctrl.bus == CommandBus::single;
  const bool column_slot = single || bus == 0;
  const bool row_slot = single || bus == 1;
  auto slot_ok = [&](Cmd c) { return single || (is_row_cmd(c) ? bus == 1 : bus == 0); };

  // 1. Requests whose row was opened for them.
  if (column_slot) {
    int best = -1;
    for (size_t i = 0; i < live_.size(); ++i) {
      Req& r = live_[i];
      if (r.where != kActive) continue;
      r.cmd = prereq(r);
      if (r.cmd == PRE || r.cmd == ACT) continue;  // row lost (refresh closed it): handled below as new
      r.ready = ready_at(r.cmd, &r, r.pc, r.bank);
      wake_ = std::min(wake_, r.ready);
      if (r.ready <= now && (best < 0 || r.seq < live_[best].seq)) best = int(i);
    }
    if (best >= 0) {
      Req& r = live_[best];
      if (spec_.timing.wck_sync && now >= wck_expiry_ &&
          (r.cmd == RD || r.cmd == RDA || r.cmd == WR || r.cmd == WRA)) {
        issue(CAS, r.pc, r.bank, r.row, now);
        cas_pending_seq_ = int64_t(r.seq);
        return true;
      }
      issue_for(size_t(best), r.cmd, now);
      return true;
    }
  }
  // 2. Refresh (priority buffer head). An all-bank refresh holds off all new work, as Ramulator's controller
  // does; a per-bank refresh only keeps new activates away from its bank while other banks keep working.
  int refreshing_bank = -1;
  if (!priority_.empty() && priority_.front().final_cmd == REFPB) {
    const Maint m = priority_.front();
    Cmd cmd;
    int64_t ready;
    maint_command(m, &cmd, &ready);
    refreshing_bank = m.bank;
    if (slot_ok(cmd)) {
      wake_ = std::min(wake_, ready);
      const bool closes_active = cmd == PRE && banks_[m.bank].active_reqs > 0;
      if (ready <= now && !closes_active && !(pending_act2() && banks_[m.bank].activating)) {
        issue(cmd, m.pc, m.bank, -1, now);
        if (cmd == REFPB) priority_.erase(priority_.begin());
        return true;
      }
    }
  } else if (!priority_.empty()) {
    const Maint m = priority_.front();
    Cmd cmd;
    int64_t ready;
    maint_command(m, &cmd, &ready);
    if (slot_ok(cmd)) {
      wake_ = std::min(wake_, ready);
      const bool closes_active =
          (cmd == PREA && pcs_[m.pc].active_reqs > 0) || (cmd == PRE && banks_[m.bank].active_reqs > 0);
      const bool blocks_act2 = pending_act2() && (cmd == PREA || cmd == PRE) &&
                               (cmd == PREA ? pcs_[m.pc].active_reqs > 0 : banks_[m.bank].activating);
      if (ready <= now && !closes_active && !blocks_act2) {
        issue(cmd, m.pc, m.bank, -1, now);
        if (cmd == REFAB || cmd == REFPB) priority_.erase(priority_.begin());
        return true;
      }
    }
    return false;  // refresh pending: no new work starts
  }
  // 3. FR-FCFS over the read or write buffer.
  const auto& ctl = spec_.ctrl;
  if (!write_mode_) {
    if (writes_waiting_ > ctl.write_high_watermark * ctl.write_queue ||
        (reads_waiting_ == 0 && writes_waiting_ > 0))
      write_mode_ = true;
  } else if (writes_waiting_ < ctl.write_low_watermark * ctl.write_queue && reads_waiting_ != 0) {
    write_mode_ = false;
  }
  const Buffer want = write_mode_ ? kWrite : kRead;
  int best = -1;
  for (size_t i = 0; i < live_.size(); ++i) {
    Req& r = live_[i];
    if (r.where != want) continue;
    r.cmd = prereq(r);
    if (!slot_ok(r.cmd)) continue;
    if ((r.cmd == PRE || r.cmd == RDA || r.cmd == WRA) && banks_[r.bank].active_reqs > 0) continue;
    if (r.cmd == ACT && pending_act2()) continue;
    if (r.bank == refreshing_bank && (r.cmd == ACT || r.cmd == RD || r.cmd == WR)) continue;
    r.ready = ready_at(r.cmd, &r, r.pc, r.bank);
    wake_ = std::min(wake_, r.ready);
    if (r.ready <= now && (best < 0 || r.seq < live_[best].seq)) best = int(i);
  }
  if (best < 0) return false;
  Req& r = live_[best];
  if (column_slot && spec_.timing.wck_sync && now >= wck_expiry_ &&
      (r.cmd == RD || r.cmd == RDA || r.cmd == WR || r.cmd == WRA)) {
    issue(CAS, r.pc, r.bank, r.row, now);
    cas_pending_seq_ = int64_t(r.seq);
    return true;
  }
  (void)row_slot;
  issue_for(size_t(best), r.cmd, now);
  return true;
}

void ChannelController::tick(int64_t now) {
  last_tick_ = now;
  refresh_tick(now);
  wake_ = next_refresh_;
  bool issued = false;
  if (spec_.ctrl.bus == CommandBus::single) {
    // CAS continuation: the RD/WR that follows a WCK sync command goes next.
    if (cas_pending_seq_ >= 0) {
      for (size_t i = 0; i < live_.size(); ++i) {
        Req& r = live_[i];
        if (int64_t(r.seq) != cas_pending_seq_) continue;
        const Cmd cmd = prereq(r);
        const int64_t ready = ready_at(cmd, &r, r.pc, r.bank);
        if (ready <= now) {
          cas_pending_seq_ = -1;
          issue_for(i, cmd, now);
          issued = true;
        } else {
          wake_ = std::min(wake_, ready);
        }
        break;
      }
      if (!issued) {
        wake_ = std::max(wake_, now + 1);
        return;
      }
      wake_ = now + 1;
      return;
    }
    // Urgent second half of a split activate (deadline reached).
    if (pending_act2()) {
      int best = -1;
      for (size_t i = 0; i < live_.size(); ++i) {
        const Req& r = live_[i];
        if (r.where != kActivating) continue;
        if (best < 0 || banks_[r.bank].act2_deadline < banks_[live_[best].bank].act2_deadline) best = int(i);
      }
      if (best >= 0 && banks_[live_[best].bank].act2_deadline <= now && bus_free(ACT2) <= now) {
        issue_for(size_t(best), ACT2, now);
        wake_ = now + 1;
        return;
      }
    }
    issued = pick_slot(now, 0);
    if (!issued && pending_act2()) {
      int best = -1;
      for (size_t i = 0; i < live_.size(); ++i) {
        const Req& r = live_[i];
        if (r.where != kActivating) continue;
        if (best < 0 || banks_[r.bank].act2_deadline < banks_[live_[best].bank].act2_deadline) best = int(i);
      }
      if (best >= 0) {
        if (bus_free(ACT2) <= now) {
          issue_for(size_t(best), ACT2, now);
          issued = true;
        } else {
          wake_ = std::min(wake_, bus_free(ACT2));
        }
      }
    }
  } else {
    const bool col = pick_slot(now, 0);
    const bool row = pick_slot(now, 1);
    issued = col || row;
  }
  if (issued) wake_ = now + 1;
  if (wake_ <= now) wake_ = now + 1;
  if (idle() && spec_.ctrl.refresh == RefreshMode::none) wake_ = kNever;
}

}  // namespace llmx::dram
