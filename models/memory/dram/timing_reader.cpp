// Speed bin, derived tCK and timings in clocks or ns (see timing_reader.h).
#include "models/memory/dram/timing_reader.h"

#include <cmath>
#include <limits>
#include <map>

namespace llmx::dram {

namespace {

// Timings a speed bin may fix in clocks (name_ck): a bin's value is the minimum for every rate in the bin.
const char* const kBinKeys[] = {"rl_ck",     "wl_ck",     "trcd_ck",   "trcd_rd_ck", "trcd_wr_ck",
                                "trp_ck",    "trp_ab_ck", "tras_ck",   "trc_ck",     "tccd_s_ck",
                                "tccd_l_ck", "tccd_r_ck", "trrd_s_ck", "trrd_l_ck",  "tfaw_ck",
                                "twr_ck",    "twtr_s_ck", "twtr_l_ck", "trtp_ck",    "tppd_ck"};

struct SpeedBin {
  double min_mtps = 0, max_mtps = 0;
  std::map<std::string, double> ck;  // bin key -> clocks
};

// Reads the table (ascending upper limits; the first row may set the lower limit of the range) and returns
// the bin `rate` falls in; refuses a rate outside the table's range at `data_rate_mtps`.
SpeedBin select_bin(Params& p, double rate) {
  auto rows =
      p.map_list("speed_bins", "the standard's speed bins: data-rate range and per-bin clock counts", false);
  if (rows.empty()) return {0, std::numeric_limits<double>::infinity(), {}};
  std::vector<SpeedBin> bins;
  for (size_t i = 0; i < rows.size(); ++i) {
    SpeedBin b;
    const double prev = i ? bins.back().max_mtps : 0.0;
    if (i == 0)
      b.min_mtps = rows[i].optional<double>("min_mtps", 0.0, "lowest data rate of the standard",
                                            Bound::non_negative());
    else
      b.min_mtps = prev;
    b.max_mtps = rows[i].required<double>("max_mtps", "highest data rate of this bin", Bound::positive());
    if (b.max_mtps <= std::max(prev, b.min_mtps))
      rows[i].fail("max_mtps", cat(b.max_mtps, " MT/s: bins must be listed by ascending upper limit"));
    for (const char* key : kBinKeys)
      if (rows[i].has(key))
        b.ck[key] =
            rows[i].required<double>(key, "clocks the standard fixes for this bin", Bound::positive());
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
  double ns(const std::string& name, const std::string& description, double fallback_ns = -1) {
    const std::string kn = name + "_ns", kc = name + "_ck";
    const auto nn = Bound::non_negative();
    double v = -1;
    if (t_.has(kn)) v = t_.required<double>(kn, description + " (ns)", nn);
    if (t_.has(kc)) v = std::max(v, t_.required<double>(kc, description + " (clocks)", nn) * tck_);
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
  tm.data_rate_mtps = p.required<double>(
      "data_rate_mtps", "data rate per pin, the speed bin (MT/s; effective Mb/s with PAM signalling)",
      Bound::positive());
  const SpeedBin bin = select_bin(p, tm.data_rate_mtps);
  const double bits_per_ck = t.required<double>(
      "bits_per_ck", "data bits per pin per command-clock cycle (2: DDR on CK; 8: LPDDR5 WCK:CK 4:1)",
      Bound::range(1, 64));
  tm.tck_ns = bits_per_ck * 1000.0 / tm.data_rate_mtps;
  if (t.has("tck_ns")) {
    const double given = t.required<double>("tck_ns", "command clock period (checked)", Bound::positive());
    if (std::fabs(given - tm.tck_ns) > 0.005 * tm.tck_ns)
      t.fail("tck_ns", cat(given, " ns disagrees with data_rate_mtps ", tm.data_rate_mtps, " at bits_per_ck ",
                           bits_per_ck, " (tCK ", tm.tck_ns, " ns); drop tck_ns, it is derived"));
  }
  tm.ticks_per_ck =
      t.optional<int>("ticks_per_ck", 1, "controller ticks per tCK (2: half-cycle)", Bound::range(1, 8));
  TimingKeys k(t, bin, tm.tck_ns);
  if (k.given("trcd")) {
    tm.trcd_rd_ns = tm.trcd_wr_ns = k.ns("trcd", "ACT to RD/WR");
  } else {
    tm.trcd_rd_ns = k.ns("trcd_rd", "ACT to RD");
    tm.trcd_wr_ns = k.ns("trcd_wr", "ACT to WR");
  }
  tm.trp_ns = k.ns("trp", "PRE to ACT, one bank");
  tm.trp_ab_ns = k.ns("trp_ab", "PREA to ACT", tm.trp_ns);
  tm.tras_ns = k.ns("tras", "ACT to PRE");
  tm.trc_ns = k.ns("trc", "ACT to ACT, one bank");
  tm.rl_ns = k.ns("rl", "read latency (CL/RL)");
  tm.wl_ns = k.ns("wl", "write latency (CWL/WL)");
  tm.tccd_s_ns = k.ns("tccd_s", "RD to RD, different bank group");
  tm.tccd_l_ns = k.ns("tccd_l", "RD to RD, same bank group");
  tm.tccd_r_ns = k.ns("tccd_r", "RD to RD, another rank or stack ID (HBM3 tCCDR; default none)", 0.0);
  tm.trrd_s_ns = k.ns("trrd_s", "ACT to ACT, different bank group");
  tm.trrd_l_ns = k.ns("trrd_l", "ACT to ACT, same bank group");
  tm.tfaw_ns = k.ns("tfaw", "four-activate window");
  tm.twr_ns = k.ns("twr", "write recovery");
  tm.twtr_s_ns = k.ns("twtr_s", "write to read, different bank group");
  tm.twtr_l_ns = k.ns("twtr_l", "write to read, same bank group");
  tm.trtp_ns = k.ns("trtp", "read to precharge");
  tm.tppd_ns = k.ns("tppd", "precharge to precharge", 0.0);
  tm.rtw_gap_ck = t.optional<double>("rtw_gap_ck", 2.0, "read-to-write bus turnaround beyond RL+BL-WL",
                                     Bound::non_negative());
  tm.trfc_ab_ns = k.ns("trfc_ab", "all-bank refresh cycle time");
  tm.trfc_pb_ns = k.ns("trfc_pb", "per-bank refresh cycle time", 0.0);
  tm.trefi_ns = k.ns("trefi", "average all-bank refresh interval");
  tm.trefi_pb_ns = k.ns("trefi_pb", "per-bank refresh interval (default tREFI / banks)", 0.0);
  tm.trrefd_ns = k.ns("trrefd", "REFpb to ACT, other bank", tm.trrd_s_ns);
  const auto pos = Bound::positive();
  tm.act_ck = t.optional<double>("act_cmd_ck", 1.0, "command-bus cycles of ACT", pos);
  tm.pre_ck = t.optional<double>("pre_cmd_ck", 1.0, "command-bus cycles of PRE", pos);
  tm.rd_ck = t.optional<double>("rd_cmd_ck", 1.0, "command-bus cycles of RD", pos);
  tm.wr_ck = t.optional<double>("wr_cmd_ck", 1.0, "command-bus cycles of WR", pos);
  tm.ref_ck = t.optional<double>("ref_cmd_ck", 1.0, "command-bus cycles of REF", pos);
  tm.split_activate = t.optional<bool>("split_activate", false, "ACT issued as ACT-1/ACT-2 (LPDDR5)");
  tm.taad_ck = t.optional<double>("taad_ck", 8.0, "ACT-1 to ACT-2 maximum delay", pos);
  tm.wck_sync = t.optional<bool>("wck_sync", false, "CAS WCK2CK sync before RD/WR once WCK stopped (LPDDR5)");
  tm.wckpst_ck = t.optional<double>("wckpst_ck", 0.0, "WCK postamble", Bound::non_negative());
  tm.burst_length_cache = org.burst_length;
  if (tm.trefi_pb_ns <= 0) tm.trefi_pb_ns = tm.trefi_ns / org.total_banks();
  return tm;
}

}  // namespace llmx::dram
