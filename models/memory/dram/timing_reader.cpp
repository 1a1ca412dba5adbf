// Speed bin, derived tCK and timings in clocks or ns (see timing_reader.h).
#include "models/memory/dram/timing_reader.h"

#include "models/memory/dram/dram_schema.h"

#include <cmath>
#include <limits>
#include <map>

namespace llmx::dram {

namespace {

struct SpeedBin {
  double min_mtps = 0, max_mtps = 0;
  std::map<std::string, double> ck;  // bin key -> clocks
};

// Reads the table (ascending upper limits; the first row may set the lower limit of the range) and returns
// the bin `rate` falls in; refuses a rate outside the table's range at `data_rate_mtps`.
SpeedBin select_bin(Params& p, double rate) {
  auto rows = p.children("speed_bins");
  if (rows.empty()) return {0, std::numeric_limits<double>::infinity(), {}};
  std::vector<SpeedBin> bins;
  for (size_t i = 0; i < rows.size(); ++i) {
    SpeedBin b;
    const double prev = i ? bins.back().max_mtps : 0.0;
    if (i == 0)
      b.min_mtps = rows[i].get<double>("min_mtps");
    else
      b.min_mtps = prev;
    b.max_mtps = rows[i].get<double>("max_mtps");
    if (b.max_mtps <= std::max(prev, b.min_mtps))
      rows[i].fail("max_mtps", cat(b.max_mtps, " MT/s: bins must be listed by ascending upper limit"));
    for (const std::string& key : bin_keys())
      if (rows[i].has(key)) b.ck[key] = rows[i].get<double>(key, 0.0);
    bins.push_back(b);
  }
  for (const SpeedBin& b : bins)
    if (rate <= b.max_mtps && rate >= bins.front().min_mtps) return b;
  p.fail("data_rate_mtps", cat(rate, " MT/s is outside the standard's range of ", bins.front().min_mtps, "-",
                               bins.back().max_mtps, " MT/s (speed_bins)"));
}

// Reads timing `name` as name_ns, name_ck or both (JEDEC's max(n nCK, t ns)), in ns at clock period `tck`.
// A bin value for name_ck is the standard's minimum: lower explicit values are refused, absent ones take it.
class TimingKeys {
 public:
  TimingKeys(Params& t, const SpeedBin& bin, double tck) : t_(t), bin_(bin), tck_(tck) {}

  bool given(const std::string& name) const {
    return t_.has(name + "_ns") || t_.has(name + "_ck") || bin_.ck.count(name + "_ck");
  }

  // Returns the timing in ns; `fallback_ns` when nothing gives it (a negative fallback: required).
  double ns(const std::string& name, double fallback_ns = -1) {
    const std::string kn = name + "_ns", kc = name + "_ck";
    const std::string description = t_.declared(kn).description;
    double v = -1;
    if (t_.has(kn)) v = t_.get<double>(kn, 0.0);
    if (t_.has(kc)) v = std::max(v, t_.get<double>(kc, 0.0) * tck_);
    const auto bin = bin_.ck.find(kc);
    if (bin != bin_.ck.end()) {
      if (v >= 0 && clocks(v) < bin->second)
        t_.fail(t_.has(kc) ? kc : kn, cat(clocks(v), " clocks is below the standard's minimum of ",
                                          bin->second, " for the speed bin up to ", bin_.max_mtps, " MT/s"));
      v = std::max(v, bin->second * tck_);
    }
    if (v >= 0) return v;
    if (fallback_ns < 0)
      t_.fail(kn, cat("missing required timing (", description, "): give ", kn, ", ", kc, " or both"));
    return fallback_ns;
  }

 private:
  // Clocks a time occupies, with the guard band to_ticks applies.
  double clocks(double ns) const { return std::ceil(ns / tck_ - 0.025); }

  Params& t_;
  const SpeedBin& bin_;
  double tck_;
};

}  // namespace

Timing read_timing(Params& p, Params& t, const Organisation& org) {
  Timing tm;
  tm.data_rate_mtps = p.get<double>("data_rate_mtps");
  const SpeedBin bin = select_bin(p, tm.data_rate_mtps);
  const double bits_per_ck = t.get<double>("bits_per_ck");
  tm.tck_ns = bits_per_ck * 1000.0 / tm.data_rate_mtps;
  if (t.has("tck_ns")) {
    const double given = t.get<double>("tck_ns", 0.0);
    if (std::fabs(given - tm.tck_ns) > 0.005 * tm.tck_ns)
      t.fail("tck_ns", cat(given, " ns disagrees with data_rate_mtps ", tm.data_rate_mtps, " at bits_per_ck ",
                           bits_per_ck, " (tCK ", tm.tck_ns, " ns); drop tck_ns, it is derived"));
  }
  tm.ticks_per_ck = t.get<int>("ticks_per_ck");
  TimingKeys k(t, bin, tm.tck_ns);
  if (k.given("trcd")) {
    tm.trcd_rd_ns = tm.trcd_wr_ns = k.ns("trcd");
  } else {
    tm.trcd_rd_ns = k.ns("trcd_rd");
    tm.trcd_wr_ns = k.ns("trcd_wr");
  }
  tm.trp_ns = k.ns("trp");
  tm.trp_ab_ns = k.ns("trp_ab", tm.trp_ns);
  tm.tras_ns = k.ns("tras");
  tm.trc_ns = k.ns("trc");
  tm.rl_ns = k.ns("rl");
  tm.wl_ns = k.ns("wl");
  tm.tccd_s_ns = k.ns("tccd_s");
  tm.tccd_l_ns = k.ns("tccd_l");
  tm.tccd_r_ns = k.ns("tccd_r", 0.0);
  tm.trrd_s_ns = k.ns("trrd_s");
  tm.trrd_l_ns = k.ns("trrd_l");
  tm.tfaw_ns = k.ns("tfaw");
  tm.twr_ns = k.ns("twr");
  tm.twtr_s_ns = k.ns("twtr_s");
  tm.twtr_l_ns = k.ns("twtr_l");
  tm.trtp_ns = k.ns("trtp");
  tm.tppd_ns = k.ns("tppd", 0.0);
  tm.rtw_gap_ck = t.get<double>("rtw_gap_ck");
  tm.trfc_ab_ns = k.ns("trfc_ab");
  tm.trfc_pb_ns = k.ns("trfc_pb", 0.0);
  tm.trefi_ns = k.ns("trefi");
  tm.trefi_pb_ns = k.ns("trefi_pb", 0.0);
  tm.trrefd_ns = k.ns("trrefd", tm.trrd_s_ns);
  tm.act_ck = t.get<double>("act_cmd_ck");
  tm.pre_ck = t.get<double>("pre_cmd_ck");
  tm.rd_ck = t.get<double>("rd_cmd_ck");
  tm.wr_ck = t.get<double>("wr_cmd_ck");
  tm.ref_ck = t.get<double>("ref_cmd_ck");
  tm.split_activate = t.get<bool>("split_activate");
  tm.taad_ck = t.get<double>("taad_ck");
  tm.wck_sync = t.get<bool>("wck_sync");
  tm.wckpst_ck = t.get<double>("wckpst_ck");
  tm.burst_length_cache = org.burst_length;
  if (tm.trefi_pb_ns <= 0) tm.trefi_pb_ns = tm.trefi_ns / org.total_banks();
  return tm;
}

}  // namespace llmx::dram
