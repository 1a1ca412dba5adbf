// One JEDEC DRAM channel as a loosely-timed TLM-2.0 target; see dram_channel.h.
// Left out: reordering between transactions, power-down.
#include "models/memory/dram_channel.h"

#include <algorithm>

#include "models/memory/dram/memory_system.h"

namespace llmx {

using sc_core::sc_time;

namespace {
dram::DramSpec read_spec(Params& p) {
  return dram::read_dram_spec(p);
}
}  // namespace

DramChannel::DramChannel(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
    : Component(name, "dram"),
      target("target"),
      spec_(read_spec(p)),
      model_(spec_),
      booker_(spec_.peak_bytes_per_s(), sc_time(p.get<double>("booking_window_ns"), sc_core::SC_NS)),
      read_depth_(dram::queue_depth(spec_, false)),
      write_depth_(dram::queue_depth(spec_, true)) {
  target.register_b_transport(this, &DramChannel::b_transport);
  expose_target("target", target, Protocol::memory, false);
}

DramChannel::DramChannel(const sc_core::sc_module_name& name, const dram::DramSpec& spec, sc_time window)
    : Component(name, "dram"),
      target("target"),
      spec_(spec),
      model_(spec_),
      booker_(spec_.peak_bytes_per_s(), window),
      read_depth_(dram::queue_depth(spec_, false)),
      write_depth_(dram::queue_depth(spec_, true)) {
  target.register_b_transport(this, &DramChannel::b_transport);
  expose_target("target", target, Protocol::memory, false);
}

void DramChannel::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  transport_at(sc_core::sc_time_stamp(), trans, delay);
}

void DramChannel::transport_at(const sc_time& now, tlm::tlm_generic_payload& trans, sc_time& delay) {
  const uint64_t bytes = trans.get_data_length();
  const uint64_t addr = trans.get_address();
  if (addr + bytes > capacity_bytes() || bytes == 0) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const bool write = trans.is_write();
  const auto cost = model_.access(addr, bytes, write);
  const sc_time start = delay;
  const double now_s = seconds_.of(now);
  const double start_s = seconds_.of(now + start);
  const double busy_ns = busy_at_occupancy(cost, start_s * 1e9, write);
  // Book the channel time as the bytes the channel could have moved at its peak in that time.
  const double equivalent_bytes = busy_ns * 1e-9 * spec_.peak_bytes_per_s();
  const auto booked = uint64_t(std::llround(equivalent_bytes));
  // What book_at does, with the start converted once: the booker's absolute finish, and the annotated
  // local time (an offset from sc_time_stamp()) it makes.
  const sc_time served_at =
      booked == 0 ? now + start : seconds_.to_time(booker_.book_seconds(now_s, start_s, booked));
  const sc_time served = booked == 0 ? start : served_at - now;
  last_served_ = served;
  booked_until_ns_ = std::max(booked_until_ns_, seconds_.of(served_at) * 1e9);
  if (cost.pipeline_ns != pipeline_ns_) {  // a handful of values: convert each once
    pipeline_ns_ = cost.pipeline_ns;
    pipeline_ = sc_time(cost.pipeline_ns, sc_core::SC_NS);
  }
  const sc_time done = served + pipeline_;
  delay = done;
  ++requests_;
  if (write) {
    bytes_written_ += bytes;
    write_bursts_ += cost.bursts;
  } else {
    bytes_read_ += bytes;
    read_bursts_ += cost.bursts;
    ++reads_;
    read_latency_sum_ns_ += seconds_.of(done - start) * 1e9;
  }
  hits_ += cost.hits;
  misses_ += cost.misses;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// The service model prices random-like misses at a full controller queue. The queue holds what is booked
// ahead of this access (the backlog, in bursts at this access's cost per burst) and the access's own bursts;
// a shallower queue gives the scheduler fewer misses to distinct banks to overlap, so each costs more.
double DramChannel::busy_at_occupancy(const dram::ChannelServiceModel::Cost& cost, double start_ns,
                                      bool write) const {
  if (cost.random_miss_ns <= 0 || cost.bursts == 0) return cost.busy_ns;
  const double per_burst_ns = cost.busy_ns / double(cost.bursts);
  const double backlog_ns = std::max(0.0, booked_until_ns_ - start_ns);
  // Bank parallelism comes from the misses waiting (the hits behind a miss wait for its row): the queued
  // bursts at this access's miss share.
  const double misses =
      (backlog_ns / per_burst_ns + double(cost.bursts)) * double(cost.misses) / double(cost.bursts);
  const double scale =
      dram::random_miss_scale(misses, model_.calibration(), write ? write_depth_ : read_depth_);
  return cost.busy_ns + cost.random_miss_ns * (scale - 1);
}

dram::ChannelCounters DramChannel::counters(const sc_time& now) const {
  dram::ChannelCounters c;
  c.reads = read_bursts_;
  c.writes = write_bursts_;
  c.activates = misses_;
  c.precharges = misses_;
  c.row_hits = hits_;
  c.row_misses = misses_;
  // Refresh runs on its own clock: per pseudo-channel one all-bank refresh every tREFI, or one per-bank
  // refresh every tREFIpb.
  const double now_ns = now.to_seconds() * 1e9;
  const auto pcs = uint64_t(spec_.org.pseudo_channels);
  if (spec_.ctrl.refresh == dram::RefreshMode::all_bank)
    c.refresh_ab = uint64_t(now_ns / spec_.timing.trefi_ns) * pcs;
  else if (spec_.ctrl.refresh == dram::RefreshMode::per_bank)
    c.refresh_pb = uint64_t(now_ns / spec_.timing.trefi_pb_ns) * pcs;
  // Active standby while the channel serves (a row is open) and while it refreshes (DRAMPower counts the
  // refresh window as active); precharge standby otherwise: the transaction model does not follow when an
  // idle bank closes, so idle time counts as precharged. Refreshes fall uniformly in time, so the share of
  // them that lands in idle time adds to the busy time.
  const double busy_ns = booker_.busy().to_seconds() * 1e9;
  const double refresh_ns = double(c.refresh_ab) * spec_.timing.trfc_ab_ns +
                            double(c.refresh_pb) * spec_.timing.trfc_pb_ns;  // summed over pseudo-channels
  const double idle_share = now_ns > 0 ? std::max(0.0, 1.0 - busy_ns / now_ns) : 0.0;
  const double active_ns = busy_ns * double(pcs) + refresh_ns * idle_share;
  c.active_ticks = int64_t(std::llround(active_ns / spec_.tick_ns()));
  return c;
}

ComponentStats DramChannel::stats(const sc_time& now) const {
  ComponentStats s;
  s.busy = booker_.busy();
  s.bytes_read = bytes_read_;
  s.bytes_written = bytes_written_;
  s.requests = requests_;
  const dram::ChannelCounters c = counters(now);
  const dram::DramEnergy e = dram::energy_of(c, spec_, now.to_seconds(), dram::EnergyBound::typical);
  const dram::DramEnergy m = dram::energy_of(c, spec_, now.to_seconds(), dram::EnergyBound::maximum);
  auto fill = [](EnergyBreakdown& b, const dram::DramEnergy& d) {
    b[EnergyKind::act_pre] = d.act_pre;
    b[EnergyKind::read_array] = d.read_array;
    b[EnergyKind::write_array] = d.write_array;
    b[EnergyKind::io] = d.io;
    b[EnergyKind::refresh] = d.refresh;
    b[EnergyKind::background] = d.background;
  };
  fill(s.energy, e);
  fill(s.energy_max.emplace(), m);
  const uint64_t outcomes = hits_ + misses_;
  s.extra.emplace_back("row_hit_rate", outcomes ? double(hits_) / double(outcomes) : 0.0);
  s.extra.emplace_back("mean_read_latency_ns", reads_ ? read_latency_sum_ns_ / double(reads_) : 0.0);
  const double bits = double(bytes_read_ + bytes_written_) * 8;
  s.extra.emplace_back("pj_per_bit", bits > 0 ? e.total() * 1e12 / bits : 0.0);
  s.extra.emplace_back("pj_per_bit_max", bits > 0 ? m.total() * 1e12 / bits : 0.0);
  s.extra.emplace_back("average_power_mw",
                       now > sc_core::SC_ZERO_TIME ? e.total() / now.to_seconds() * 1e3 : 0.0);
  return s;
}

LLMX_REGISTER_COMPONENT(DramChannel, "dram", "JEDEC DRAM channel (LPDDR, HBM, DDR) with bank timing");

}  // namespace llmx
