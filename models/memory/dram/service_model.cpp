// Transaction-level DRAM channel cost model calibrated from the command-level controller; see service_model.h.
// Left out: cross-transaction reordering.
#include "models/memory/dram/service_model.h"

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "models/memory/dram/memory_system.h"

namespace llmx::dram {

namespace {

// Open-row classifier shared by calibration and the model, so both count hits the same way.
struct RowTable {
  const DramSpec& spec;
  std::vector<int64_t> open;
  explicit RowTable(const DramSpec& s) : spec(s), open(size_t(s.org.total_banks()), -1) {}
  bool touch(uint64_t addr) {
    const DecodedAddress d = spec.mapping.decode(addr);
    const auto& o = spec.org;
    const int bank = ((d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group) * o.banks_per_group + d.bank;
    const int64_t row = d.row % o.rows;
    if (open[size_t(bank)] == row) return true;
    open[size_t(bank)] = row;
    return false;
  }
};

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

ServiceCalibration run_calibration(const DramSpec& spec) {
  const uint64_t tx = uint64_t(spec.org.tx_bytes());
  const double burst_ns = double(tx) / spec.peak_bytes_per_s() * 1e9;
  // Long enough to hold about 20 refresh intervals, so refresh is represented at its average share.
  const uint64_t seq_bursts =
      std::max<uint64_t>(32768, uint64_t(std::ceil(20.0 * spec.timing.trefi_ns / burst_ns)));
  const uint64_t rand_bursts = 16384;
  const uint64_t capacity_bursts = spec.org.capacity_bytes() / tx;
  InjectionModel inj;
  inj.kind = InjectionModel::Kind::offer_per_tick;
  inj.limit = 16;
  ServiceCalibration c;
  {
    MemorySystem m(spec, 1, {}, inj);
    uint64_t i = 0;
    const auto r = m.run([&](Access& a) {
      if (i >= seq_bursts) return false;
      a.addr = (i++ % capacity_bursts) * tx;
      a.bytes = uint32_t(tx);
      return true;
    });
    c.seq_ns_per_burst = r.elapsed_ns / double(seq_bursts);
    c.seq_mean_latency_ns = r.mean_read_latency_ns;
    RowTable rows(spec);
    uint64_t hits = 0;
    for (uint64_t k = 0; k < seq_bursts; ++k) hits += rows.touch((k % capacity_bursts) * tx);
    c.seq_hit_rate = double(hits) / double(seq_bursts);
  }
  {
    MemorySystem m(spec, 1, {}, inj);
    uint64_t i = 0;
    const auto r = m.run([&](Access& a) {
      if (i >= rand_bursts) return false;
      a.addr = (mix(++i) % capacity_bursts) * tx;
      a.bytes = uint32_t(tx);
      return true;
    });
    c.rand_ns_per_burst = r.elapsed_ns / double(rand_bursts);
    c.rand_mean_latency_ns = r.mean_read_latency_ns;
    RowTable rows(spec);
    uint64_t hits = 0;
    for (uint64_t k = 1; k <= rand_bursts; ++k) hits += rows.touch((mix(k) % capacity_bursts) * tx);
    c.rand_hit_rate = double(hits) / double(rand_bursts);
  }
  // Solve seq = hs*h + (1-hs)*m and rand = hr*h + (1-hr)*m for the per-class costs h and m.
  const double det = c.seq_hit_rate - c.rand_hit_rate;
  if (std::fabs(det) < 1e-3) {
    c.hit_ns = c.miss_ns = c.seq_ns_per_burst;
  } else {
    c.hit_ns = ((1 - c.rand_hit_rate) * c.seq_ns_per_burst - (1 - c.seq_hit_rate) * c.rand_ns_per_burst) / det;
    c.miss_ns = (c.rand_hit_rate * c.seq_ns_per_burst - c.seq_hit_rate * c.rand_ns_per_burst) / -det;
  }
  // A hit never costs less than the data-bus time of its burst.
  c.hit_ns = std::max(c.hit_ns, burst_ns);
  c.miss_ns = std::max(c.miss_ns, c.hit_ns);
  return c;
}

}  // namespace

std::string timing_key(const DramSpec& s) {
  std::ostringstream k;
  k.precision(17);
  const auto& o = s.org;
  const auto& t = s.timing;
  k << s.standard << '|' << o.pseudo_channels << ',' << o.ranks << ',' << o.bank_groups << ',' << o.banks_per_group
    << ',' << o.rows << ',' << o.page_bytes << ',' << o.dq_bits << ',' << o.burst_length << '|' << t.data_rate_mtps
    << ',' << t.tck_ns << ',' << t.ticks_per_ck << ',' << t.trcd_rd_ns << ',' << t.trcd_wr_ns << ',' << t.trp_ns
    << ',' << t.trp_ab_ns << ',' << t.tras_ns << ',' << t.trc_ns << ',' << t.rl_ns << ',' << t.wl_ns << ','
    << t.tccd_s_ns << ',' << t.tccd_l_ns << ',' << t.trrd_s_ns << ',' << t.trrd_l_ns << ',' << t.tfaw_ns << ','
    << t.twr_ns << ',' << t.twtr_s_ns << ',' << t.twtr_l_ns << ',' << t.trtp_ns << ',' << t.tppd_ns << ','
    << t.rtw_gap_ck << ',' << t.trfc_ab_ns << ',' << t.trfc_pb_ns << ',' << t.trefi_ns << ',' << t.trefi_pb_ns
    << ',' << t.trrefd_ns << ',' << t.act_ck << ',' << t.pre_ck << ',' << t.rd_ck << ',' << t.wr_ck << ','
    << t.ref_ck << ',' << t.split_activate << ',' << t.taad_ck << ',' << t.wck_sync << ',' << t.wckpst_ck << '|'
    << int(s.ctrl.bus) << int(s.ctrl.row_policy) << int(s.ctrl.refresh) << ',' << s.ctrl.read_queue << ','
    << s.ctrl.write_queue << ',' << s.ctrl.per_bank_queue << '|' << s.mapping.name() << ':';
  for (auto f : s.mapping.bits()) k << int(f);
  for (const auto& x : s.mapping.xors())
    k << ';' << int(x.target) << '.' << x.target_bit << '^' << int(x.source) << '.' << x.source_bit;
  return k.str();
}

const ServiceCalibration& calibrate(const DramSpec& spec) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<ServiceCalibration>> cache;
  const std::string key = timing_key(spec);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end())
    it = cache.emplace(key, std::make_unique<ServiceCalibration>(run_calibration(spec))).first;
  return *it->second;
}

ChannelServiceModel::ChannelServiceModel(const DramSpec& spec)
    : spec_(spec), cal_(calibrate(spec)), open_row_(size_t(spec.org.total_banks()), -1) {
  const TickTiming k = to_ticks(spec_);
  const double tick = spec_.tick_ns();
  hit_pipeline_rd_ns_ = double(k.rl) * tick;
  hit_pipeline_wr_ns_ = double(k.wl) * tick;
  act_ns_ = double(k.rcd_rd) * tick;
  pre_ns_ = double(k.rp) * tick;
}

ChannelServiceModel::Cost ChannelServiceModel::access(uint64_t addr, uint64_t bytes, bool is_write) {
  Cost c;
  const uint64_t tx = uint64_t(spec_.org.tx_bytes());
  const uint64_t first = addr / tx * tx;
  const uint64_t end = addr + std::max<uint64_t>(bytes, 1);
  const auto& o = spec_.org;
  bool first_burst = true;
  for (uint64_t x = first; x < end; x += tx) {
    const DecodedAddress d = spec_.mapping.decode(x);
    const size_t bank =
        size_t(((d.pseudo_channel * o.ranks + d.rank) * o.bank_groups + d.bank_group) * o.banks_per_group + d.bank);
    const int64_t row = d.row % o.rows;
    const bool hit = open_row_[bank] == row;
    if (first_burst) {
      c.pipeline_ns = is_write ? hit_pipeline_wr_ns_ : hit_pipeline_rd_ns_;
      if (!hit) c.pipeline_ns += act_ns_ + (open_row_[bank] >= 0 ? pre_ns_ : 0.0);
      first_burst = false;
    }
    open_row_[bank] = row;
    ++c.bursts;
    (hit ? c.hits : c.misses)++;
  }
  c.busy_ns = double(c.hits) * cal_.hit_ns + double(c.misses) * cal_.miss_ns;
  return c;
}

}  // namespace llmx::dram
