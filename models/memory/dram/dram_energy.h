// DRAM energy per operation for one channel (DRAMPower's split into kinds), in two bounds: typical and
// maximum. A preset gives the energies directly (model: per_operation, each figure citing a paper or
// datasheet) or as datasheet IDD currents per supply rail (model: idd), from which DRAMPower's equations
// derive them:
//   ACT+PRE = sum over core rails V (IDD0 tRC - IDD3N tRAS - IDD2N (tRC - tRAS))
//   RD / WR = V (IDD4R|W - IDD3N) (f / f_measured)^k BL / f          (f: the preset's data rate)
//   REFab   = V (IDD5AB - IDD3N) tRFCab;   REFpb likewise with IDD5PB and tRFCpb
//   standby = V IDD3N while a bank is open or refreshing, V IDD2N otherwise
// each times the devices in lockstep on the data bus (and the ranks and pseudo-channels for standby). k = 0
// (the default) holds the read/write current measured at measured_at_mtps at the target clock, as DRAMPower
// does (it evaluates IDD4 over BL/DR target clocks); k = 1 keeps the energy per bit of the measured bin.
// Refresh subtracts IDD3N because the refresh window counts as active standby (DRAMPower: the rank is active
// for tRFC), so the two add up to IDD5 over tRFC.
// Interface energy (drivers and termination of the data link, both ends) comes from the link's parameters
// (interface: termination, signalling NRZ/PAM3/PAM4, R_on, R_tt, line capacitance, toggle rate) where the
// standard defines them, in either model; else from rails marked io, or from a cited pJ/bit (per_operation).
// The other bound: typical currents or figures are maximum ones times a cited typical/maximum ratio per
// current or per kind (typical_over_maximum), and the link's resistances sit at their tolerance in the
// maximum bound.
// Left out: command/address and clock lines, power-down and self-refresh, data-dependent array energy.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "models/core/params.h"

namespace llmx::dram {

struct Organisation;
struct Timing;

enum class EnergyBound { typical = 0, maximum = 1 };
constexpr int kEnergyBounds = 2;
const char* energy_bound_name(EnergyBound b);  // "typical", "maximum"

// Per-operation energies of one bound.
struct OpEnergy {
  double act_pre_pj = 0;              // one activate + its precharge (one bank of the channel's rank)
  double read_array_pj_per_bit = 0;   // array + internal datapath, per bit read
  double write_array_pj_per_bit = 0;  // per bit written
  double io_read_pj_per_bit = 0;      // interface: drivers, termination, per bit read
  double io_write_pj_per_bit = 0;
  double refresh_ab_pj = 0;  // one all-bank refresh of one pseudo-channel (or rank)
  double refresh_pb_pj = 0;  // one per-bank refresh
  // Standby power of the whole channel (all pseudo-channels and ranks) with a bank open (or refreshing), and
  // with all banks closed.
  double background_active_mw = 0;
  double background_idle_mw = 0;
};

// One supply rail of a DRAM device by the DRAMPower method: its voltage and the datasheet IDD currents
// measured on it (per device). `io`: the rail feeds the data I/O (VDDQ), so its read/write currents above
// active standby count as interface energy rather than array energy.
struct IddRail {
  std::string name;
  double voltage_v = 0;
  // Supply voltage the currents were measured at, when the preset runs the rail at another one: the currents
  // then scale with voltage_v / measured_at_v (switched capacitance, I = C V f), so energies with its square.
  double measured_at_v = 0;
  double idd0_ma = 0;    // one bank ACT-PRE cycling at tRC
  double idd2n_ma = 0;   // precharge standby (all banks closed)
  double idd3n_ma = 0;   // active standby (a bank open)
  double idd4r_ma = 0;   // seamless burst reads
  double idd4w_ma = 0;   // seamless burst writes
  double idd5ab_ma = 0;  // all-bank refresh, REF every tRFCab (burst refresh)
  double idd5pb_ma = 0;  // per-bank refresh, REFpb every tRFCpb (when given: Energy::has_pb_currents)
  bool io = false;
};

// Typical current over maximum current, per IDD kind (idd5 applies to both refresh currents).
struct CurrentRatios {
  double idd0 = 1, idd2n = 1, idd3n = 1, idd4r = 1, idd4w = 1, idd5 = 1;
};

// Typical figure over maximum figure, per energy kind (model: per_operation).
struct KindRatios {
  double act_pre = 1, read_array = 1, write_array = 1, io = 1, refresh = 1, background = 1;
};

// The data link between controller and device, per pseudo-channel: DQ lines (dq_bits) and strobe lines.
// A line terminated to VSSQ (LPDDR4/5 LVSTL) draws V^2/(R_on + R_tt) while driven high, one terminated to
// VDDQ (DDR4/5, GDDR POD) while driven low; each rising edge draws C V V_swing from the supply, with the
// terminated swing V R_tt/(R_on + R_tt) (V when unterminated). Multi-level signalling (GDDR6X PAM4, GDDR7
// PAM3) sends bits_per_symbol bits per unit interval on M levels: a line at level u (0..1 of the full swing)
// draws u times the full termination current (a segmented driver), and a step up of du draws du of a full
// rising edge; with uniformly random symbols the mean level is 1/2 (the same static energy per bit time as
// NRZ) and the mean rise per symbol is (M + 1) / (6 M) of a full swing (1/4 for NRZ).
struct LinkInterface {
  enum class Termination { none, vssq, vddq };
  enum class Signalling { nrz, pam3, pam4 };
  bool given = false;
  Termination termination = Termination::none;
  Signalling signalling = Signalling::nrz;
  double vddq_v = 0;
  double r_on_ohm = 0;               // driver output impedance
  double r_tt_ohm = 0;               // receiver termination (ODT)
  double c_line_pf = 0;              // switched capacitance per line: both pads, package and trace
  double strobe_lines_per_byte = 0;  // e.g. 2 for a differential DQS per byte lane
  double toggle_rate = 0;  // full-swing rises per DQ line per symbol (NRZ: 0->1 transitions per bit)
  double ones_rate = 0;    // mean level of a DQ line, 0..1 of the full swing (NRZ: share of time high)
  double resistance_tolerance = 0;  // the maximum bound uses R_on and R_tt lowered by this fraction
};

// Interface energy per data bit of one burst on `link` (both directions cost the same), for a bound.
double link_pj_per_bit(const LinkInterface& link, const Timing& t, EnergyBound b);
// Levels and bits per unit interval of a signalling scheme (NRZ 2 and 1, PAM3 3 and 1.5 as JESD239 codes 3
// bits in 2 symbols, PAM4 4 and 2).
int signal_levels(LinkInterface::Signalling s);
double bits_per_symbol(LinkInterface::Signalling s);

struct Energy {
  enum class Model { per_operation, idd } model = Model::per_operation;
  std::array<OpEnergy, kEnergyBounds> bound;  // [typical, maximum]
  const OpEnergy& at(EnergyBound b) const { return bound[static_cast<int>(b)]; }
  OpEnergy& at(EnergyBound b) { return bound[static_cast<int>(b)]; }
  EnergyBound given = EnergyBound::typical;  // which bound the preset's currents or figures are
  // model: idd only (kept for reports, tests and the DRAMPower export).
  int devices_per_rank = 1;
  double measured_at_mtps = 0;    // data rate the datasheet's IDD4R/IDD4W were measured at
  double idd4_rate_exponent = 0;  // k in the read/write equation above
  std::vector<IddRail> rails;     // as given (the `given` bound)
  bool has_pb_currents = false;   // every rail gives IDD5PB; otherwise a REFpb costs REFab / banks
  CurrentRatios current_ratios;   // model: idd
  KindRatios kind_ratios;         // model: per_operation
  LinkInterface link;
};

// Per-operation energies from IDD currents by the equations above (one bound's currents). mA x V x ns = pJ.
OpEnergy idd_energy(const std::vector<IddRail>& rails, const Organisation& o, const Timing& t,
                    int devices_per_rank, double measured_at_mtps, double idd4_rate_exponent,
                    bool has_pb_currents);
// The rails with every current scaled by its ratio (typical = maximum x ratio), or divided by it.
std::vector<IddRail> scale_currents(std::vector<IddRail> rails, const CurrentRatios& r, bool divide);

// Reads the `energy:` map of a preset (see the keys in dram_energy.cpp).
void read_energy(Params& e, const Organisation& o, const Timing& t, Energy* en);

}  // namespace llmx::dram
