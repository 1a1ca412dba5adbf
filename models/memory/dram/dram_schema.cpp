// Declarations of the DRAM channel's keys (see dram_schema.h).
#include "models/memory/dram/dram_schema.h"

#include "models/memory/dram/address_mapping.h"

namespace llmx::dram {

const std::vector<TimingName>& timing_names() {
  static const std::vector<TimingName> t{
      {"trcd", "ACT to RD/WR (or trcd_rd and trcd_wr)", "trcd_rd and trcd_wr"},
      {"trcd_rd", "ACT to RD", "tRCD"},
      {"trcd_wr", "ACT to WR", "tRCD"},
      {"trp", "PRE to ACT, one bank", nullptr},
      {"trp_ab", "PREA to ACT", "tRP"},
      {"tras", "ACT to PRE", nullptr},
      {"trc", "ACT to ACT, one bank", nullptr},
      {"rl", "read latency (CL/RL)", nullptr},
      {"wl", "write latency (CWL/WL)", nullptr},
      {"tccd_s", "RD to RD, different bank group", nullptr},
      {"tccd_l", "RD to RD, same bank group", nullptr},
      {"tccd_r", "RD to RD, another rank or stack ID (HBM3 tCCDR)", "none (0)"},
      {"trrd_s", "ACT to ACT, different bank group", nullptr},
      {"trrd_l", "ACT to ACT, same bank group", nullptr},
      {"tfaw", "four-activate window", nullptr},
      {"twr", "write recovery", nullptr},
      {"twtr_s", "write to read, different bank group", nullptr},
      {"twtr_l", "write to read, same bank group", nullptr},
      {"trtp", "read to precharge", nullptr},
      {"tppd", "precharge to precharge", "none (0)"},
      {"trfc_ab", "all-bank refresh cycle time", nullptr},
      {"trfc_pb", "per-bank refresh cycle time", "none (0)"},
      {"trefi", "average all-bank refresh interval", nullptr},
      {"trefi_pb", "per-bank refresh interval", "tREFI / banks"},
      {"trrefd", "REFpb to ACT, other bank", "tRRD_S"},
  };
  return t;
}

const std::vector<std::string>& bin_keys() {
  static const std::vector<std::string> k{"rl_ck",     "wl_ck",     "trcd_ck",   "trcd_rd_ck", "trcd_wr_ck",
                                          "trp_ck",    "trp_ab_ck", "tras_ck",   "trc_ck",     "tccd_s_ck",
                                          "tccd_l_ck", "tccd_r_ck", "trrd_s_ck", "trrd_l_ck",  "tfaw_ck",
                                          "twr_ck",    "twtr_s_ck", "twtr_l_ck", "trtp_ck",    "tppd_ck"};
  return k;
}

namespace {

const Bound kNonNeg = Bound::non_negative();
const Bound kPos = Bound::positive();
const Bound kRatio{0.0, 1.0, true};

ParamSection instance() {
  ParamSection s{
      "",
      "the instance map (or a preset under configs/memory/)",
      {text("standard", kRequired, "DRAM standard name, e.g. LPDDR5"),
       number("data_rate_mtps", kRequired, kPos,
              "data rate per pin, the speed bin (MT/s; effective Mb/s with PAM signalling)"),
       section_list("speed_bins", false,
                    "the standard's speed bins: data-rate range and per-bin clock counts"),
       section("organisation", true, "channel organisation"), section("timing", true, "JEDEC timing"),
       section("energy", true, "per-operation energies, or datasheet IDD currents"),
       section("controller", false, "memory controller"),
       choice("address_mapping", AddressMapping::scheme_names(), std::string("RoCoBaBgRaPc"),
              "address mapping scheme, lowest field last (or a map with explicit bits, below)"),
       number("booking_window_ns", "50", kPos,
              "bandwidth booking window of the TLM channel (smaller: closer to exact, more bookkeeping)")}};
  const auto common = instance_keys("dram");
  s.keys.insert(s.keys.begin(), common.begin(), common.end());
  return s;
}

ParamSection speed_bins() {
  ParamSection s{"speed_bins[]",
                 "one bin per row, by ascending upper limit; a bin's clock counts are minimums for its rates",
                 {number("min_mtps", "0", kNonNeg, "lowest data rate of the standard (first row only)"),
                  number("max_mtps", kRequired, kPos, "highest data rate of this bin")}};
  for (const auto& k : bin_keys())
    s.keys.push_back(number(k, "none", kPos,
                            "clocks the standard fixes for this bin (" + k.substr(0, k.size() - 3) + ")"));
  return s;
}

ParamSection organisation() {
  return {
      "organisation",
      "",
      {integer("pseudo_channels", "1", Bound::range(1, 16), "pseudo-channels per channel (a power of two)"),
       integer("ranks", "1", Bound::range(1, 16),
               "ranks (or HBM stack IDs) per pseudo-channel (a power of two)"),
       integer("bank_groups", kRequired, Bound::range(1, 64), "bank groups per rank (a power of two)"),
       integer("banks_per_group", kRequired, Bound::range(1, 64), "banks per bank group (a power of two)"),
       with_unit(integer("rows", kRequired, Bound::range(1, 1 << 24), "rows per bank (even)"), "rows"),
       integer("page_bytes", kRequired, Bound::range(1, 1 << 16),
               "row size per bank in bytes (a power of two)"),
       integer("dq_bits", kRequired, Bound::range(1, 1024), "data bus width per pseudo-channel in bits"),
       with_unit(integer("burst_length", kRequired, Bound::range(1, 64), "beats per burst"), "beats")}};
}

ParamSection timing() {
  ParamSection s{
      "timing",
      "each JEDEC timing as name_ns, name_ck (clocks of tCK) or both (the larger: max(n nCK, t ns))",
      {number("bits_per_ck", kRequired, Bound::range(1, 64),
              "data bits per pin per command-clock cycle (2: DDR on CK; 8: LPDDR5 WCK:CK 4:1)"),
       number("tck_ns", "derived", kPos,
              "command clock period: derived from the data rate, checked if given"),
       with_unit(integer("ticks_per_ck", "1", Bound::range(1, 8), "controller ticks per tCK (2: half-cycle)"),
                 "ticks/clock")}};
  for (const auto& t : timing_names()) {
    const std::string dflt = t.fallback ? std::string(t.fallback) : "required: _ns, _ck or both";
    s.keys.push_back(number(std::string(t.name) + "_ns", dflt, kNonNeg, t.description));
    s.keys.push_back(number(std::string(t.name) + "_ck", dflt, kNonNeg, t.description));
  }
  for (ParamDecl d : {number("rtw_gap_ck", "2", kNonNeg, "read-to-write bus turnaround beyond RL+BL-WL"),
                      number("act_cmd_ck", "1", kPos, "command-bus cycles of ACT"),
                      number("pre_cmd_ck", "1", kPos, "command-bus cycles of PRE"),
                      number("rd_cmd_ck", "1", kPos, "command-bus cycles of RD"),
                      number("wr_cmd_ck", "1", kPos, "command-bus cycles of WR"),
                      number("ref_cmd_ck", "1", kPos, "command-bus cycles of REF"),
                      flag("split_activate", "false", "ACT issued as ACT-1/ACT-2 (LPDDR5)"),
                      number("taad_ck", "8", kPos, "ACT-1 to ACT-2 maximum delay"),
                      flag("wck_sync", "false", "CAS WCK2CK sync before RD/WR once WCK stopped (LPDDR5)"),
                      number("wckpst_ck", "0", kNonNeg, "WCK postamble")})
    s.keys.push_back(d);
  return s;
}

ParamSection energy() {
  const std::string po = "model: per_operation", idd = "model: idd";
  const std::string given = ": typical (a vendor's typical values) or maximum (datasheet limits)";
  return {
      "energy",
      "",
      {choice("model", {"per_operation", "idd"}, kRequired,
              "per_operation: cited per-operation energies; idd: datasheet IDD currents"),
       only_when(choice("figures", {"typical", "maximum"}, kRequired, "what the figures below are" + given),
                 po),
       only_when(number("act_pre_pj", kRequired, kNonNeg, "energy of one activate + precharge"), po),
       only_when(number("read_array_pj_per_bit", kRequired, kNonNeg, "array read energy per bit"), po),
       only_when(number("write_array_pj_per_bit", kRequired, kNonNeg, "array write energy per bit"), po),
       only_when(number("io_read_pj_per_bit", kRequired, kNonNeg,
                        "interface energy per bit read (unless `interface` gives it)"),
                 po),
       only_when(number("io_write_pj_per_bit", kRequired, kNonNeg,
                        "interface energy per bit written (unless `interface` gives it)"),
                 po),
       only_when(number("refresh_ab_pj", kRequired, kNonNeg, "one all-bank refresh of one pseudo-channel"),
                 po),
       only_when(number("refresh_pb_pj", "REFab / banks", kNonNeg, "one per-bank refresh"), po),
       only_when(number("background_mw", kRequired, kNonNeg, "standby power of the channel with a bank open"),
                 po),
       only_when(
           number("background_idle_mw", "background_mw", kNonNeg, "standby power with all banks closed"), po),
       only_when(
           choice("currents", {"typical", "maximum"}, kRequired, "what the rails' currents are" + given),
           idd),
       only_when(integer("devices_per_rank", kRequired, Bound::range(1, 64),
                         "DRAM devices in lockstep forming the channel's data bus"),
                 idd),
       only_when(number("measured_at_mtps", "data_rate_mtps", kPos,
                        "data rate the IDD4R/IDD4W currents were measured at"),
                 idd),
       only_when(number("idd4_rate_exponent", "0", Bound::range(0, 1),
                        "IDD4R/W above IDD3N scale with (rate / measured rate)^k: 0 holds the current "
                        "(DRAMPower), 1 keeps the energy per bit"),
                 idd),
       only_when(section("rails", true, "supply rails by name, each with its voltage and IDD currents"), idd),
       section("interface", false, "the data link's electrical parameters (I/O energy)"),
       section("typical_over_maximum", true,
               "typical figure over maximum figure, per energy or current kind")}};
}

ParamSection ratios() {
  const std::string po = "model: per_operation", idd = "model: idd";
  return {"energy.typical_over_maximum",
          "",
          {only_when(number("act_pre", kRequired, kRatio, "activate + precharge"), po),
           only_when(number("read_array", kRequired, kRatio, "array reads"), po),
           only_when(number("write_array", kRequired, kRatio, "array writes"), po),
           only_when(number("io", kRequired, kRatio, "interface"), po),
           only_when(number("refresh", kRequired, kRatio, "refresh"), po),
           only_when(number("background", kRequired, kRatio, "standby"), po),
           only_when(number("idd0", kRequired, kRatio, "IDD0"), idd),
           only_when(number("idd2n", kRequired, kRatio, "IDD2N"), idd),
           only_when(number("idd3n", kRequired, kRatio, "IDD3N"), idd),
           only_when(number("idd4r", kRequired, kRatio, "IDD4R"), idd),
           only_when(number("idd4w", kRequired, kRatio, "IDD4W"), idd),
           only_when(number("idd5", kRequired, kRatio, "IDD5AB and IDD5PB"), idd)}};
}

ParamSection rail() {
  return {"energy.rails.<name>",
          "one supply rail (vdd1, vdd2h, vddq, ...)",
          {number("voltage_v", kRequired, kPos, "rail voltage"),
           number("measured_at_v", "voltage_v", kPos,
                  "voltage the currents were measured at (they scale with V)"),
           number("idd0_ma", kRequired, kNonNeg, "one-bank ACT-PRE current at tRC"),
           number("idd2n_ma", kRequired, kNonNeg, "precharge standby current"),
           number("idd3n_ma", kRequired, kNonNeg, "active standby current"),
           number("idd4r_ma", kRequired, kNonNeg, "burst read current"),
           number("idd4w_ma", kRequired, kNonNeg, "burst write current"),
           number("idd5ab_ma", kRequired, kNonNeg, "all-bank refresh current (REF every tRFCab)"),
           number("idd5pb_ma", "none (REFab / banks)", kNonNeg,
                  "per-bank refresh current (REFpb every tRFCpb); on every rail or none"),
           flag("io", "false", "the rail feeds the data I/O (VDDQ)")}};
}

ParamSection interface() {
  return {
      "energy.interface",
      "",
      {choice("termination", {"vssq", "vddq", "none"}, kRequired,
              "what the receiver terminates to: vssq (LVSTL), vddq (POD), none"),
       choice("signalling", {"nrz", "pam3", "pam4"}, std::string("nrz"),
              "levels on a DQ line: nrz (2), pam3 (3 levels, 3 bits per 2 symbols), pam4 (4 levels, 2 bits)"),
       number("vddq_v", kRequired, kPos, "I/O supply voltage"),
       number("r_on_ohm", kRequired, kPos, "driver output impedance"),
       only_when(number("r_tt_ohm", kRequired, kPos, "receiver termination (ODT) impedance"),
                 "termination: vssq or vddq"),
       number("c_line_pf", kRequired, kNonNeg, "switched capacitance per line (pads, package, trace)"),
       with_unit(number("strobe_lines_per_byte", kRequired, Bound::range(0, 8),
                        "strobe lines per 8 DQ (2: differential DQS)"),
                 "lines/byte"),
       with_unit(
           number("toggle_rate", "random data", Bound::range(0, 0.5),
                  "full-swing rises per DQ line per symbol (random data: 0.25 NRZ, 0.222 PAM3, 0.208 PAM4)"),
           "rises/symbol"),
       number("ones_rate", "0.5", Bound::range(0, 1),
              "mean level of a DQ line, 0..1 of the swing (0.5: random data)"),
       number("resistance_tolerance", kRequired, Bound::range(0, 0.5),
              "calibrated R_on/R_tt tolerance (maximum bound: R lowered)")}};
}

ParamSection controller() {
  return {
      "controller",
      "",
      {choice("command_bus", {"single", "dual"}, std::string("single"),
              "one command bus, or separate row and column buses"),
       choice("row_policy", {"open", "closed"}, std::string("open"), "row-buffer policy"),
       choice("refresh", {"all_bank", "per_bank", "none"}, std::string("all_bank"), "refresh"),
       integer("read_queue", "32", Bound::range(1, 4096), "read requests queued per channel"),
       integer("write_queue", "32", Bound::range(1, 4096), "write requests queued per channel"),
       integer("per_bank_queue", "0", Bound::range(0, 1024), "bank-wise buffer depth (0: one channel queue)"),
       number("write_high_watermark", "0.8", Bound::range(0, 1), "drain writes above this queue fill"),
       number("write_low_watermark", "0.2", Bound::range(0, 1), "stop draining below this queue fill")}};
}

ParamSection mapping() {
  return {"address_mapping",
          "an explicit mapping, given as a map instead of a scheme name",
          {list("bits", ParamKind::texts, kRequired, Bound::any(),
                "field fed by each channel-local address bit above the burst offset, lowest first"),
           list("xor", ParamKind::texts, std::string("[]"), Bound::any(),
                "XOR terms 'target.bit^source.bit', e.g. bank_group.0^column.0")}};
}

ParamSchema make_schema() {
  ParamSchema s{"dram", "JEDEC DRAM channel (LPDDR, HBM, DDR, GDDR) with bank timing", {}};
  s.sections = {instance(), speed_bins(), organisation(), timing(),     energy(),
                ratios(),   rail(),       interface(),    controller(), mapping()};
  s.sections.push_back({"energy.rails", "", {section("<name>", true, "one supply rail, by name")}});
  return s;
}

const ParamSchemaRegistrar registrar(&dram_schema);

}  // namespace

const ParamSchema& dram_schema() {
  static const ParamSchema s = make_schema();
  return s;
}

}  // namespace llmx::dram
