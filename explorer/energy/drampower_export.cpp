// DRAMPower v5.1 side-by-side export (see drampower_export.h).
#include "explorer/energy/drampower_export.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <vector>

#include "models/core/error.h"
#include "models/memory/dram/channel_controller.h"
#include "models/memory/dram/memory_system.h"

namespace llmx {

namespace {

using dram::CommandKind;
using dram::CommandRecord;
using dram::DramSpec;
using dram::IddRail;

enum class Standard { lpddr4, lpddr5, ddr5 };

Standard standard_of(const DramSpec& s) {
  const std::string& n = s.standard;
  if (n == "LPDDR4" || n == "LPDDR4X") return Standard::lpddr4;
  if (n == "LPDDR5" || n == "LPDDR5X") return Standard::lpddr5;
  if (n == "DDR5") return Standard::ddr5;
  throw Error(
      cat("energy drampower: DRAMPower v5.1 has no model for ", n, " (LPDDR4/4X, LPDDR5/5X, DDR5 only)"));
}

// The rails' currents at the rail's voltage and, for IDD4R/W, at the preset's data rate (A).
struct RailCurrents {
  double v = 0, idd0 = 0, idd2n = 0, idd3n = 0, idd4r = 0, idd4w = 0, idd5 = 0, idd5pb = 0;
};

RailCurrents currents_of(const IddRail& r, double rate_scale) {
  const double k = r.voltage_v / r.measured_at_v * 1e-3;
  RailCurrents c;
  c.v = r.voltage_v;
  c.idd0 = r.idd0_ma * k;
  c.idd2n = r.idd2n_ma * k;
  c.idd3n = r.idd3n_ma * k;
  c.idd4r = c.idd3n + (r.idd4r_ma * k - c.idd3n) * rate_scale;
  c.idd4w = c.idd3n + (r.idd4w_ma * k - c.idd3n) * rate_scale;
  c.idd5 = r.idd5ab_ma * k;
  c.idd5pb = r.idd5pb_ma * k;
  return c;
}

std::map<std::string, RailCurrents> rails_by_name(const DramSpec& s, const std::vector<std::string>& names) {
  const auto& en = s.energy;
  const double rate_scale = std::pow(s.timing.data_rate_mtps / en.measured_at_mtps, en.idd4_rate_exponent);
  std::map<std::string, RailCurrents> out;
  for (const auto& r : en.rails) {
    if (r.io)
      throw Error(cat("energy drampower: rail '", r.name,
                      "' is an io rail; DRAMPower takes the I/O from "
                      "interface parameters (give the preset an energy.interface map)"));
    out[r.name] = currents_of(r, rate_scale);
  }
  for (const auto& [name, c] : out) {
    bool known = false;
    for (const auto& n : names) known = known || n == name;
    if (!known)
      throw Error(cat("energy drampower: rail '", name, "' has no DRAMPower counterpart for ", s.standard));
  }
  return out;
}

// Strobe and data-line impedances in DRAMPower's lumped form (see the header).
struct Impedance {
  double c_dq = 0, r_dq = 1e12, c_strobe = 0, r_strobe = 1e12;
};

Impedance impedance_of(const DramSpec& s, double strobe_pairs_counted, double lines_per_counted_unit) {
  const auto& l = s.energy.link;
  Impedance z;
  if (!l.given) return z;
  const double derate = s.energy.given == dram::EnergyBound::maximum ? 1.0 - l.resistance_tolerance : 1.0;
  const bool terminated = l.termination != dram::LinkInterface::Termination::none;
  const double r = terminated ? (l.r_on_ohm + l.r_tt_ohm) * derate : 1e12;
  const double swing = terminated ? l.r_tt_ohm / (l.r_on_ohm + l.r_tt_ohm) : 1.0;  // V_swing / VDDQ
  z.r_dq = r;
  z.c_dq = 2.0 * l.c_line_pf * 1e-12 * swing;  // DRAMPower charges C V^2 / 2 per rising edge
  const double n = l.strobe_lines_per_byte * s.org.dq_bits / 8.0;
  if (n > 0) {
    // DRAMPower's strobe unit: `lines_per_counted_unit` line-equivalents per pair it counts.
    const double units = strobe_pairs_counted * lines_per_counted_unit;
    z.r_strobe = r * units / n;
    z.c_strobe = z.c_dq * n / units;
  }
  return z;
}

long cycles(double ns, double clk_ns) {
  return std::lround(ns / clk_ns);
}

void write_lpddr4(std::ostream& j, const DramSpec& s, double clk) {
  const auto rails = rails_by_name(s, {"vdd1", "vdd2"});
  const RailCurrents v1 = rails.count("vdd1") ? rails.at("vdd1") : RailCurrents{};
  const RailCurrents v2 = rails.count("vdd2") ? rails.at("vdd2") : RailCurrents{};
  // DRAMPower v5.1 LPDDR4.cpp getWindowStats: readDQSStats = 2 x one strobe clock: two line-equivalents,
  // each high half the burst at t_bit per counted one (interface_calculation_LPDDR4.h calcDQSEnergy).
  // (v5.1's MemSpecLPDDR4 never calls parseImpedanceSpec, so DRAMPower's LPDDR4 interface energy comes out
  // inf/NaN whatever is given here; its LPDDR4 interface also leaves the strobes out.)
  const Impedance z = impedance_of(s, 1, 2);
  const auto& t = s.timing;
  const auto& o = s.org;
  const int dev = s.energy.devices_per_rank;
  j << "{\"memspec\": {\"memoryId\": \"explorer-" << s.standard << "\", \"memoryType\": \"LPDDR4\",\n"
    << " \"memarchitecturespec\": {\"nbrOfChannels\": 1, \"nbrOfDevices\": " << dev
    << ", \"nbrOfRanks\": 1, \"nbrOfBanks\": " << o.banks_per_pc()
    << ", \"nbrOfBankGroups\": " << o.bank_groups << ", \"nbrOfRows\": " << o.rows
    << ", \"nbrOfColumns\": " << o.page_bytes * 8 / o.dq_bits << ", \"burstLength\": " << o.burst_length
    << ", \"dataRate\": 2, \"width\": " << o.dq_bits / dev << "},\n";
  j << " \"mempowerspec\": {\"vdd1\": " << v1.v << ", \"idd01\": " << v1.idd0 << ", \"idd2n1\": " << v1.idd2n
    << ", \"idd3n1\": " << v1.idd3n << ", \"idd4r1\": " << v1.idd4r << ", \"idd4w1\": " << v1.idd4w
    << ", \"idd51\": " << v1.idd5 << ", \"idd5pb1\": " << v1.idd5pb
    << ", \"idd61\": 0, \"idd2p1\": 0, \"idd3p1\": 0,\n  \"vdd2\": " << v2.v << ", \"idd02\": " << v2.idd0
    << ", \"idd2n2\": " << v2.idd2n << ", \"idd3n2\": " << v2.idd3n << ", \"idd4r2\": " << v2.idd4r
    << ", \"idd4w2\": " << v2.idd4w << ", \"idd52\": " << v2.idd5 << ", \"idd5pb2\": " << v2.idd5pb
    << ", \"idd62\": 0, \"idd2p2\": 0, \"idd3p2\": 0, \"vddq\": " << s.energy.link.vddq_v << "},\n";
  j << " \"memtimingspec\": {\"tCK\": " << clk * 1e-9
    << ", \"CKE\": 0, \"ESCKE\": 0, \"CMDCKE\": 0, \"RAS\": " << cycles(t.tras_ns, clk)
    << ", \"RCD\": " << cycles(t.trcd_rd_ns, clk) << ", \"RL\": " << cycles(t.rl_ns, clk)
    << ", \"REFM\": 1, \"REFI\": " << cycles(t.trefi_ns, clk)
    << ", \"REFIpb\": " << cycles(t.trefi_pb_ns, clk) << ", \"RFCpb\": " << cycles(t.trfc_pb_ns, clk)
    << ", \"RFCab\": " << cycles(t.trfc_ab_ns, clk) << ", \"RPpb\": " << cycles(t.trp_ns, clk)
    << ", \"RPab\": " << cycles(t.trp_ab_ns, clk) << ", \"RCpb\": " << cycles(t.trc_ns, clk)
    << ", \"RCab\": " << cycles(t.trc_ns, clk) << ", \"PPD\": 0, \"FAW\": 0, \"RRD\": 0, \"CCD\": 0, "
    << "\"CCDMW\": 0, \"RPST\": 0, \"DQSCK\": 0, \"RTP\": " << cycles(t.trtp_ns, clk)
    << ", \"WL\": " << cycles(t.wl_ns, clk)
    << ", \"DQSS\": 0, \"DQS2DQ\": 0, \"WR\": " << cycles(t.twr_ns, clk)
    << ", \"WPRE\": 0, \"WTR\": 0, \"XP\": 0, \"SR\": 0, \"XSR\": 0, \"RTRS\": 0},\n";
  j << " \"memimpedancespec\": {\"C_total_ck\": 0, \"C_total_cb\": 0, \"C_total_rb\": " << z.c_dq
    << ", \"C_total_wb\": " << z.c_dq << ", \"C_total_dqs\": " << z.c_strobe
    << ", \"R_eq_ck\": 1e12, \"R_eq_cb\": 1e12, \"R_eq_rb\": " << z.r_dq << ", \"R_eq_wb\": " << z.r_dq
    << ", \"R_eq_dqs\": " << z.r_strobe << "}\n}}\n";
}

void write_lpddr5(std::ostream& j, const DramSpec& s, double clk) {
  const auto rails = rails_by_name(s, {"vdd1", "vdd2"});
  const RailCurrents v1 = rails.count("vdd1") ? rails.at("vdd1") : RailCurrents{};
  const RailCurrents v2 = rails.count("vdd2") ? rails.at("vdd2") : RailCurrents{};
  // DRAMPower v5.1 LPDDR5: WCK toggles during reads and writes (LPDDR5.cpp handle_interface), counted as
  // 2 x one clock with static 2 x ones x 0.5 tWCK (interface_calculation_LPDDR5.cpp calcClockEnergy): four
  // line-equivalents per counted pair at the data-clock export. The read strobe (RDQS) gets nothing: WCK
  // carries the explorer's strobe lines in both directions.
  Impedance z = impedance_of(s, 1, 4);
  const auto& t = s.timing;
  const auto& o = s.org;
  const int dev = s.energy.devices_per_rank;
  j << "{\"memspec\": {\"memoryId\": \"explorer-" << s.standard << "\", \"memoryType\": \"LPDDR5\",\n"
    << " \"memarchitecturespec\": {\"nbrOfDevices\": " << dev
    << ", \"nbrOfChannels\": 1, \"nbrOfRanks\": 1, \"nbrOfBanks\": " << o.banks_per_pc()
    << ", \"nbrOfBankGroups\": " << o.bank_groups << ", \"nbrOfRows\": " << o.rows
    << ", \"nbrOfColumns\": " << o.page_bytes * 8 / o.dq_bits << ", \"burstLength\": " << o.burst_length
    << ", \"dataRate\": 2, \"width\": " << o.dq_bits / dev
    << ", \"per2BankOffset\": 8, \"WCKalwaysOn\": false},\n";
  auto rail = [&](const char* suffix, const RailCurrents& c) {
    j << "\"idd0" << suffix << "\": " << c.idd0 << ", \"idd2n" << suffix << "\": " << c.idd2n << ", \"idd3n"
      << suffix << "\": " << c.idd3n << ", \"idd4r" << suffix << "\": " << c.idd4r << ", \"idd4w" << suffix
      << "\": " << c.idd4w << ", \"idd5" << suffix << "\": " << c.idd5 << ", \"idd5pb" << suffix
      << "\": " << c.idd5pb << ", \"idd6" << suffix << "\": 0, \"idd6ds" << suffix << "\": 0, \"idd2p"
      << suffix << "\": 0, \"idd3p" << suffix << "\": 0";
  };
  j << " \"mempowerspec\": {\"vdd1\": " << v1.v << ", ";
  rail("1", v1);
  j << ",\n  \"vdd2h\": " << v2.v << ", ";
  rail("2h", v2);
  j << ",\n  \"vdd2l\": " << v2.v << ", ";
  rail("2l", RailCurrents{});
  j << ", \"vddq\": " << s.energy.link.vddq_v << "},\n";
  j << " \"memtimingspec\": {\"tCK\": " << clk * 1e-9 << ", \"REFI\": " << cycles(t.trefi_ns, clk)
    << ", \"REFIpb\": " << cycles(t.trefi_pb_ns, clk) << ", \"RFCab\": " << cycles(t.trfc_ab_ns, clk)
    << ", \"RFCpb\": " << cycles(t.trfc_pb_ns, clk) << ", \"RAS\": " << cycles(t.tras_ns, clk)
    << ", \"RPab\": " << cycles(t.trp_ab_ns, clk) << ", \"RPpb\": " << cycles(t.trp_ns, clk)
    << ", \"RCpb\": " << cycles(t.trc_ns, clk) << ", \"RCab\": " << cycles(t.trc_ns, clk)
    << ", \"PPD\": 0, \"RCD_L\": " << cycles(t.trcd_rd_ns, clk)
    << ", \"RCD_S\": " << cycles(t.trcd_rd_ns, clk)
    << ", \"FAW\": 0, \"RRD\": 0, \"RL\": " << cycles(t.rl_ns, clk)
    << ", \"RBTP\": " << cycles(t.trtp_ns, clk) << ", \"WL\": " << cycles(t.wl_ns, clk)
    << ", \"WR\": " << cycles(t.twr_ns, clk)
    << ", \"RTRS\": 0, \"BL_n_min_16\": 0, \"BL_n_max_16\": 0, \"BL_n_L_16\": 0, \"BL_n_S_16\": 0, "
    << "\"BL_n_min_32\": 0, \"BL_n_max_32\": 0, \"BL_n_L_32\": 0, \"BL_n_S_32\": 0, \"WTR_L\": 0, "
    << "\"WTR_S\": 0, \"WCK2DQO\": 0, \"WCK2CK\": 1, \"pbR2act\": 0, \"pbR2pbR\": 0},\n";
  j << " \"memimpedancespec\": {\"C_total_cb\": 0, \"C_total_ck\": 0, \"C_total_wck\": " << z.c_strobe
    << ", \"C_total_dqs\": 0, \"C_total_rb\": " << z.c_dq << ", \"C_total_wb\": " << z.c_dq
    << ", \"R_eq_cb\": 1e12, \"R_eq_ck\": 1e12, \"R_eq_wck\": " << z.r_strobe << ", \"R_eq_dqs\": 1e12"
    << ", \"R_eq_rb\": " << z.r_dq << ", \"R_eq_wb\": " << z.r_dq << "}\n}}\n";
}

void write_ddr5(std::ostream& j, const DramSpec& s, double clk) {
  const auto rails = rails_by_name(s, {"vdd", "vpp"});
  const RailCurrents vdd = rails.count("vdd") ? rails.at("vdd") : RailCurrents{};
  const RailCurrents vpp = rails.count("vpp") ? rails.at("vpp") : RailCurrents{};
  const auto& t = s.timing;
  const auto& o = s.org;
  const int dev = s.energy.devices_per_rank;
  const int width = o.dq_bits / dev;
  // DRAMPower v5.1 DDR5.cpp getWindowStats: 2 x one strobe clock (two line-equivalents), doubled for x16
  // devices.
  const Impedance z = impedance_of(s, width == 16 ? 2 : 1, 2);
  j << "{\"memspec\": {\"memoryId\": \"explorer-DDR5\", \"memoryType\": \"DDR5\",\n"
    << " \"memarchitecturespec\": {\"nbrOfChannels\": 1, \"nbrOfDevices\": " << dev
    << ", \"nbrOfRanks\": 1, \"nbrOfDIMMRanks\": 1, \"nbrOfPhysicalRanks\": 1, \"nbrOfLogicalRanks\": 1"
    << ", \"nbrOfBanks\": " << o.banks_per_pc() << ", \"nbrOfBankGroups\": " << o.bank_groups
    << ", \"nbrOfRows\": " << o.rows << ", \"nbrOfColumns\": " << o.page_bytes * 8 / o.dq_bits
    << ", \"burstLength\": " << o.burst_length << ", \"dataRate\": 2, \"width\": " << width
    << ", \"RefMode\": 1, \"cmdMode\": 1, \"RAAIMT\": 0, \"RAAMMT\": 0, \"RAADEC\": 0},\n";
  j << " \"mempowerspec\": {\"vdd\": " << vdd.v << ", \"idd0\": " << vdd.idd0 << ", \"idd2n\": " << vdd.idd2n
    << ", \"idd3n\": " << vdd.idd3n << ", \"idd4r\": " << vdd.idd4r << ", \"idd4w\": " << vdd.idd4w
    << ", \"idd5c\": 0, \"idd6n\": 0, \"idd2p\": 0, \"idd3p\": 0, \"vpp\": " << (vpp.v > 0 ? vpp.v : 1.8)
    << ", \"ipp0\": " << vpp.idd0 << ", \"ipp2n\": " << vpp.idd2n << ", \"ipp3n\": " << vpp.idd3n
    << ", \"ipp4r\": " << vpp.idd4r << ", \"ipp4w\": " << vpp.idd4w << ", \"ipp5c\": 0, \"ipp6n\": 0, "
    << "\"ipp2p\": 0, \"ipp3p\": 0, \"idd5b\": " << vdd.idd5 << ", \"idd5f\": 0, \"ipp5b\": " << vpp.idd5
    << ", \"ipp5f\": 0, \"vddq\": " << s.energy.link.vddq_v << "},\n";
  const long rfc = cycles(t.trfc_ab_ns, clk);
  j << " \"memtimingspec\": {\"tCK\": " << clk * 1e-9 << ", \"RAS\": " << cycles(t.tras_ns, clk)
    << ", \"RCD\": " << cycles(t.trcd_rd_ns, clk) << ", \"RTP\": " << cycles(t.trtp_ns, clk)
    << ", \"WL\": " << cycles(t.wl_ns, clk) << ", \"WR\": " << cycles(t.twr_ns, clk)
    << ", \"RP\": " << cycles(t.trp_ns, clk) << ", \"PPD\": 0, \"RL\": " << cycles(t.rl_ns, clk);
  for (const char* k :
       {"RPRE",         "RPST",          "RDDQS",      "WPRE",         "WPST",        "CCD_L_slr",
        "CCD_L_WR_slr", "CCD_L_WR2_slr", "CCD_M_slr",  "CCD_M_WR_slr", "CCD_S_slr",   "CCD_S_WR_slr",
        "CCD_dlr",      "CCD_WR_dlr",    "CCD_WR_dpr", "RRD_L_slr",    "RRD_S_slr",   "RRD_dlr",
        "FAW_slr",      "FAW_dlr",       "WTR_L",      "WTR_M",        "WTR_S",       "RFC1_dlr",
        "RFC2_dlr",     "RFC1_dpr",      "RFC2_dpr",   "RFCsb_dlr",    "REFSBRD_slr", "REFSBRD_dlr",
        "RTRS",         "CPDED",         "PD",         "XP",           "ACTPDEN",     "PRPDEN",
        "REFPDEN"})
    j << ", \"" << k << "\": 0";
  j << ", \"RFC1_slr\": " << rfc << ", \"RFC2_slr\": " << rfc
    << ", \"RFCsb_slr\": " << cycles(t.trfc_pb_ns, clk) << ", \"REFI1\": " << cycles(t.trefi_ns, clk)
    << ", \"REFI2\": " << cycles(t.trefi_ns, clk) / 2 << ", \"REFISB\": " << cycles(t.trefi_pb_ns, clk)
    << "},\n";
  j << " \"memimpedancespec\": {\"C_total_cb\": 0, \"C_total_ck\": 0, \"C_total_dqs\": " << z.c_strobe
    << ", \"C_total_rb\": " << z.c_dq << ", \"C_total_wb\": " << z.c_dq
    << ", \"R_eq_cb\": 1e12, \"R_eq_ck\": 1e12"
    << ", \"R_eq_dqs\": " << z.r_strobe << ", \"R_eq_rb\": " << z.r_dq << ", \"R_eq_wb\": " << z.r_dq
    << "},\n"
    << " \"dataratespec\": {\"ca_bus_rate\": 2, \"dq_bus_rate\": 2, \"dqs_bus_rate\": 2}\n}}\n";
}

const char* drampower_command(CommandKind k) {
  switch (k) {
    case CommandKind::act:
      return "ACT";
    case CommandKind::pre:
      return "PRE";
    case CommandKind::prea:
      return "PREA";
    case CommandKind::rd:
      return "RD";
    case CommandKind::wr:
      return "WR";
    case CommandKind::rda:
      return "RDA";
    case CommandKind::wra:
      return "WRA";
    case CommandKind::refab:
      return "REFA";
    case CommandKind::refpb:
      return "REFB";
    default:
      return nullptr;  // ACT-2 and WCK2CK sync: part of ACT and RD/WR for DRAMPower
  }
}

// Runs the access stream on one controller and returns its commands and the final counters.
std::vector<CommandRecord> run_stream(const DramSpec& spec, const DrampowerExportRequest& req,
                                      std::mt19937_64& rng, dram::ChannelCounters* counters, int64_t* end) {
  dram::ChannelController c(spec);
  std::vector<CommandRecord> cmds;
  c.set_command_log([&](const CommandRecord& r) { cmds.push_back(r); });
  const uint64_t burst = uint64_t(spec.org.tx_bytes());
  const uint64_t bursts = spec.org.capacity_bytes() / burst;
  const bool random = req.pattern == "random";
  uint64_t made = 0, id = 0;
  auto next = [&](uint64_t* addr, bool* write) {
    if (made >= req.accesses) return false;
    *addr = (random ? rng() % bursts : made % bursts) * burst;
    *write = double(rng() % 1000000) < req.write_share * 1e6;
    ++made;
    return true;
  };
  uint64_t addr = 0;
  bool write = false, have = next(&addr, &write);
  int64_t now = 0;
  while (have || !c.idle()) {
    while (have && c.can_accept(addr, write)) {
      c.enqueue(id++, addr, write, now);
      have = next(&addr, &write);
    }
    c.tick(now);
    now = std::max(now + 1, have ? now + 1 : c.next_wake());
  }
  const auto& t = c.ticks();
  *end = (cmds.empty() ? 0 : cmds.back().tick) + t.rfc_ab + t.rl + t.bl + t.wl + t.wr + t.rp_ab;
  *counters = c.counters_at(*end);
  return cmds;
}

void write_commands(const std::string& path, const DramSpec& spec, const std::vector<CommandRecord>& cmds,
                    int64_t end, double clk, std::mt19937_64& rng) {
  std::ofstream out(path);
  if (!out) throw Error(cat(path, ": cannot write"));
  const double tick = spec.tick_ns();
  const int bytes = spec.org.tx_bytes();
  const int per_group = spec.org.banks_per_group;
  auto stamp = [&](int64_t t) { return std::llround(double(t) * tick / clk); };
  char hex[3];
  for (const auto& r : cmds) {
    const char* name = drampower_command(r.kind);
    if (!name) continue;
    const int bank = r.bank < 0 ? 0 : r.bank % spec.org.banks_per_pc();
    const int group = r.bank < 0 ? 0 : bank / per_group;
    out << stamp(r.tick) << ',' << name << ",0," << group << ',' << bank << ',' << std::max<int64_t>(0, r.row)
        << ",0";
    const bool data = r.kind == CommandKind::rd || r.kind == CommandKind::wr || r.kind == CommandKind::rda ||
                      r.kind == CommandKind::wra;
    if (data) {
      out << ",0x";
      for (int b = 0; b < bytes; ++b) {
        std::snprintf(hex, sizeof hex, "%02x", unsigned(rng() & 0xff));
        out << hex;
      }
    }
    out << '\n';
  }
  out << stamp(end) << ",PREA,0,0,0,0,0\n";  // close open rows so DRAMPower counts their precharges
}

}  // namespace

DrampowerExportResult export_drampower(const DramSpec& spec, const DrampowerExportRequest& req,
                                       const std::string& dir) {
  const Standard std_ = standard_of(spec);
  if (spec.energy.model != dram::Energy::Model::idd)
    throw Error(cat("energy drampower: ", spec.standard,
                    " preset gives per-operation energies; DRAMPower needs "
                    "IDD currents (energy.model: idd)"));
  if (spec.org.ranks != 1 || spec.org.pseudo_channels != 1)
    throw Error("energy drampower: one rank and one pseudo-channel per channel only");
  const double clk = 2000.0 / spec.timing.data_rate_mtps;  // the data clock (see the header)
  const double ratio = spec.tick_ns() / clk;
  if (std::abs(ratio - std::round(ratio)) > 1e-3)
    throw Error(cat("energy drampower: the controller tick (", spec.tick_ns(),
                    " ns) is not a whole number of "
                    "data-clock cycles (",
                    clk, " ns)"));
  std::mt19937_64 rng(req.seed);
  dram::ChannelCounters k;
  int64_t end = 0;
  const auto cmds = run_stream(spec, req, rng, &k, &end);
  {
    std::ofstream j(dir + "/memspec.json");
    if (!j) throw Error(cat(dir, "/memspec.json: cannot write"));
    j.precision(10);
    if (std_ == Standard::lpddr4) write_lpddr4(j, spec, clk);
    if (std_ == Standard::lpddr5) write_lpddr5(j, spec, clk);
    if (std_ == Standard::ddr5) write_ddr5(j, spec, clk);
  }
  write_commands(dir + "/commands.csv", spec, cmds, end, clk, rng);
  const double elapsed_ns = double(end) * spec.tick_ns();
  const dram::DramEnergy e = dram::energy_of(k, spec, elapsed_ns * 1e-9, spec.energy.given);
  std::ofstream x(dir + "/explorer.csv");
  if (!x) throw Error(cat(dir, "/explorer.csv: cannot write"));
  x.precision(10);
  x << "kind,explorer_j\n"
    << "act_pre," << e.act_pre << "\nread_array," << e.read_array << "\nwrite_array," << e.write_array
    << "\nio," << e.io << "\nrefresh," << e.refresh << "\nbackground," << e.background << "\ntotal,"
    << e.total() << "\n";
  x << "# " << spec.standard << ' ' << req.pattern << ": " << k.activates << " ACT, " << k.reads << " RD, "
    << k.writes << " WR, " << k.refresh_ab + k.refresh_pb << " REF, " << elapsed_ns << " ns, "
    << dram::energy_bound_name(spec.energy.given) << " currents\n";
  return {uint64_t(cmds.size()), elapsed_ns};
}

}  // namespace llmx
