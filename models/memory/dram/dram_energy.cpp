// DRAM energy per operation: reading a preset's `energy:` map, DRAMPower's IDD equations, the data link's
// interface energy and the typical/maximum bounds (see dram_energy.h).
#include "models/memory/dram/dram_energy.h"

#include <cmath>

#include "models/memory/dram/dram_spec.h"

namespace llmx::dram {

const char* energy_bound_name(EnergyBound b) {
  return b == EnergyBound::typical ? "typical" : "maximum";
}

int signal_levels(LinkInterface::Signalling s) {
  using S = LinkInterface::Signalling;
  return s == S::pam4 ? 4 : s == S::pam3 ? 3 : 2;
}

double bits_per_symbol(LinkInterface::Signalling s) {
  using S = LinkInterface::Signalling;
  return s == S::pam4 ? 2.0 : s == S::pam3 ? 1.5 : 1.0;
}

double link_pj_per_bit(const LinkInterface& l, const Timing& t, EnergyBound b) {
  if (!l.given) return 0;
  using T = LinkInterface::Termination;
  const double derate = b == EnergyBound::maximum ? 1.0 - l.resistance_tolerance : 1.0;
  const double r_on = l.r_on_ohm * derate, r_tt = l.r_tt_ohm * derate;
  const double v = l.vddq_v;
  const double t_bit_ns = 1000.0 / t.data_rate_mtps;
  const bool terminated = l.termination != T::none;
  // Static current flows while a terminated line sits at the level that opposes its termination.
  const double term_pj = terminated ? v * v / (r_on + r_tt) * t_bit_ns * 1e3 : 0;  // V^2/ohm x ns = nJ
  const double swing = terminated ? v * r_tt / (r_on + r_tt) : v;
  const double rise_pj = l.c_line_pf * v * swing;  // pF x V^2 = pJ
  const double drawing = l.termination == T::vddq ? 1.0 - l.ones_rate : l.ones_rate;
  const double dq = terminated ? drawing * term_pj : 0;
  // A symbol carries bits_per_symbol bits: its rises are shared by them.
  const double per_symbol = 1.0 / bits_per_symbol(l.signalling);
  const double dq_pj_per_bit = dq + l.toggle_rate * rise_pj * per_symbol;
  // Strobes toggle every unit interval: each line is high half the burst and rises once per two intervals.
  const double strobe_lines_per_dq = l.strobe_lines_per_byte / 8.0;
  const double strobe_pj_per_bit = strobe_lines_per_dq * (0.5 * term_pj + 0.5 * rise_pj * per_symbol);
  return dq_pj_per_bit + strobe_pj_per_bit;
}

std::vector<IddRail> scale_currents(std::vector<IddRail> rails, const CurrentRatios& r, bool divide) {
  auto apply = [divide](double& i, double ratio) { i = divide ? i / ratio : i * ratio; };
  for (auto& rail : rails) {
    apply(rail.idd0_ma, r.idd0);
    apply(rail.idd2n_ma, r.idd2n);
    apply(rail.idd3n_ma, r.idd3n);
    apply(rail.idd4r_ma, r.idd4r);
    apply(rail.idd4w_ma, r.idd4w);
    apply(rail.idd5ab_ma, r.idd5);
    apply(rail.idd5pb_ma, r.idd5);
  }
  return rails;
}

OpEnergy idd_energy(const std::vector<IddRail>& rails, const Organisation& o, const Timing& t,
                    int devices_per_rank, double measured_at_mtps, double idd4_rate_exponent,
                    bool has_pb_currents) {
  const double dev = devices_per_rank;
  // DRAMPower evaluates IDD4 over the burst at the target clock; k scales the current from the bin it was
  // measured at.
  const double tburst = double(o.burst_length) / t.data_rate_mtps * 1000.0;
  const double rate_scale = std::pow(t.data_rate_mtps / measured_at_mtps, idd4_rate_exponent);
  const double bits = double(o.tx_bytes()) * 8;
  double act = 0, rd_core = 0, wr_core = 0, rd_io = 0, wr_io = 0, ref_ab = 0, ref_pb = 0, p3n = 0, p2n = 0;
  for (const auto& rail : rails) {
    IddRail r = rail;
    const double k = r.voltage_v / r.measured_at_v;  // currents at the rail's voltage
    for (double* i :
         {&r.idd0_ma, &r.idd2n_ma, &r.idd3n_ma, &r.idd4r_ma, &r.idd4w_ma, &r.idd5ab_ma, &r.idd5pb_ma})
      *i *= k;
    const double v = r.voltage_v;
    act += v * (r.idd0_ma * t.trc_ns - r.idd3n_ma * t.tras_ns - r.idd2n_ma * (t.trc_ns - t.tras_ns));
    const double rd = v * (r.idd4r_ma - r.idd3n_ma) * rate_scale * tburst;
    const double wr = v * (r.idd4w_ma - r.idd3n_ma) * rate_scale * tburst;
    (r.io ? rd_io : rd_core) += rd;
    (r.io ? wr_io : wr_core) += wr;
    ref_ab += v * (r.idd5ab_ma - r.idd3n_ma) * t.trfc_ab_ns;
    ref_pb += v * (r.idd5pb_ma - r.idd3n_ma) * t.trfc_pb_ns;
    p3n += v * r.idd3n_ma;  // mW
    p2n += v * r.idd2n_ma;
  }
  OpEnergy e;
  e.act_pre_pj = act * dev;
  e.read_array_pj_per_bit = rd_core * dev / bits;
  e.write_array_pj_per_bit = wr_core * dev / bits;
  e.io_read_pj_per_bit = rd_io * dev / bits;
  e.io_write_pj_per_bit = wr_io * dev / bits;
  e.refresh_ab_pj = ref_ab * dev;
  // Without a per-bank figure a REFpb refreshes one bank's share of what REFab refreshes.
  e.refresh_pb_pj = has_pb_currents ? ref_pb * dev : e.refresh_ab_pj / o.banks_per_pc();
  // Standby of every device of every rank on every pseudo-channel.
  const double devices = dev * o.ranks * o.pseudo_channels;
  e.background_active_mw = p3n * devices;
  e.background_idle_mw = p2n * devices;
  return e;
}

namespace {

const auto kNonNegative = Bound::non_negative();
const auto kRatio = Bound{0.0, 1.0, true};  // typical over maximum: in (0, 1]

EnergyBound read_given(Params& e, const std::string& key, const std::string& what) {
  return e.choice(key, {"typical", "maximum"}, std::nullopt,
                  what + ": typical (a vendor's typical values) or maximum (datasheet limits)") == "typical"
             ? EnergyBound::typical
             : EnergyBound::maximum;
}

void read_link(Params& e, LinkInterface* l) {
  if (!e.has("interface")) return;
  Params p = e.required_child("interface", "the data link's electrical parameters (I/O energy)");
  l->given = true;
  const std::string term = p.choice("termination", {"vssq", "vddq", "none"}, std::nullopt,
                                    "what the receiver terminates to: vssq (LVSTL), vddq (POD), none");
  l->termination = term == "vssq"   ? LinkInterface::Termination::vssq
                   : term == "vddq" ? LinkInterface::Termination::vddq
                                    : LinkInterface::Termination::none;
  const std::string sig = p.choice(
      "signalling", {"nrz", "pam3", "pam4"}, std::string("nrz"),
      "levels on a DQ line: nrz (2), pam3 (3 levels, 3 bits per 2 symbols), pam4 (4 levels, 2 bits)");
  l->signalling = sig == "pam4"   ? LinkInterface::Signalling::pam4
                  : sig == "pam3" ? LinkInterface::Signalling::pam3
                                  : LinkInterface::Signalling::nrz;
  const int m = signal_levels(l->signalling);
  const double uniform_rise = (m + 1.0) / (6.0 * m);  // mean rise per symbol of uniformly random levels
  const auto pos = Bound::positive();
  l->vddq_v = p.required<double>("vddq_v", "I/O supply voltage", pos);
  l->r_on_ohm = p.required<double>("r_on_ohm", "driver output impedance", pos);
  l->r_tt_ohm = l->termination == LinkInterface::Termination::none
                    ? 0.0
                    : p.required<double>("r_tt_ohm", "receiver termination (ODT) impedance", pos);
  l->c_line_pf =
      p.required<double>("c_line_pf", "switched capacitance per line (pads, package, trace)", kNonNegative);
  l->strobe_lines_per_byte = p.required<double>(
      "strobe_lines_per_byte", "strobe lines per 8 DQ (2: differential DQS)", Bound::range(0, 8));
  l->toggle_rate = p.optional<double>(
      "toggle_rate", uniform_rise,
      "full-swing rises per DQ line per symbol (random data: 0.25 NRZ, 0.222 PAM3, 0.208 PAM4)",
      Bound::range(0, 0.5));
  l->ones_rate = p.optional<double>(
      "ones_rate", 0.5, "mean level of a DQ line, 0..1 of the swing (0.5: random data)", Bound::range(0, 1));
  l->resistance_tolerance =
      p.required<double>("resistance_tolerance", "calibrated R_on/R_tt tolerance (maximum bound: R lowered)",
                         Bound::range(0, 0.5));
}

void read_per_operation(Params& e, const Organisation& o, const Timing& t, Energy* en) {
  en->model = Energy::Model::per_operation;
  en->given = read_given(e, "figures", "what the figures below are");
  OpEnergy g;
  g.act_pre_pj = e.required<double>("act_pre_pj", "energy of one activate + precharge", kNonNegative);
  g.read_array_pj_per_bit =
      e.required<double>("read_array_pj_per_bit", "array read energy per bit", kNonNegative);
  g.write_array_pj_per_bit =
      e.required<double>("write_array_pj_per_bit", "array write energy per bit", kNonNegative);
  read_link(e, &en->link);
  if (en->link.given) {
    for (const char* key : {"io_read_pj_per_bit", "io_write_pj_per_bit"})
      if (e.has(key)) e.fail(key, "I/O energy given twice: by this figure and by the interface parameters");
  } else {
    g.io_read_pj_per_bit =
        e.required<double>("io_read_pj_per_bit", "interface energy per bit read", kNonNegative);
    g.io_write_pj_per_bit =
        e.required<double>("io_write_pj_per_bit", "interface energy per bit written", kNonNegative);
  }
  g.refresh_ab_pj =
      e.required<double>("refresh_ab_pj", "one all-bank refresh of one pseudo-channel", kNonNegative);
  g.refresh_pb_pj = e.optional<double>("refresh_pb_pj", g.refresh_ab_pj / o.banks_per_pc(),
                                       "one per-bank refresh (default: REFab / banks)", kNonNegative);
  g.background_active_mw =
      e.required<double>("background_mw", "standby power of the channel with a bank open", kNonNegative);
  g.background_idle_mw = e.optional<double>("background_idle_mw", g.background_active_mw,
                                            "standby power with all banks closed", kNonNegative);
  Params r = e.required_child("typical_over_maximum", "typical figure over maximum figure, per energy kind");
  KindRatios& k = en->kind_ratios;
  k.act_pre = r.required<double>("act_pre", "activate + precharge", kRatio);
  k.read_array = r.required<double>("read_array", "array reads", kRatio);
  k.write_array = r.required<double>("write_array", "array writes", kRatio);
  k.io = r.required<double>("io", "interface", kRatio);
  k.refresh = r.required<double>("refresh", "refresh", kRatio);
  k.background = r.required<double>("background", "standby", kRatio);
  // The other bound: typical = maximum x ratio.
  const bool to_max = en->given == EnergyBound::typical;
  auto other = [to_max](double v, double ratio) { return to_max ? v / ratio : v * ratio; };
  OpEnergy x;
  x.act_pre_pj = other(g.act_pre_pj, k.act_pre);
  x.read_array_pj_per_bit = other(g.read_array_pj_per_bit, k.read_array);
  x.write_array_pj_per_bit = other(g.write_array_pj_per_bit, k.write_array);
  x.io_read_pj_per_bit = other(g.io_read_pj_per_bit, k.io);
  x.io_write_pj_per_bit = other(g.io_write_pj_per_bit, k.io);
  x.refresh_ab_pj = other(g.refresh_ab_pj, k.refresh);
  x.refresh_pb_pj = other(g.refresh_pb_pj, k.refresh);
  x.background_active_mw = other(g.background_active_mw, k.background);
  x.background_idle_mw = other(g.background_idle_mw, k.background);
  en->at(en->given) = g;
  en->at(to_max ? EnergyBound::maximum : EnergyBound::typical) = x;
  // The interface parameters carry their own bounds (resistances at their tolerance).
  if (en->link.given)
    for (EnergyBound b : {EnergyBound::typical, EnergyBound::maximum})
      en->at(b).io_read_pj_per_bit = en->at(b).io_write_pj_per_bit = link_pj_per_bit(en->link, t, b);
}

IddRail read_rail(Params& r, const std::string& name) {
  IddRail rail;
  rail.name = name;
  const auto pos = Bound::positive();
  rail.voltage_v = r.required<double>("voltage_v", "rail voltage", pos);
  rail.measured_at_v = r.optional<double>("measured_at_v", rail.voltage_v,
                                          "voltage the currents were measured at (they scale with V)", pos);
  rail.idd0_ma = r.required<double>("idd0_ma", "one-bank ACT-PRE current at tRC", kNonNegative);
  rail.idd2n_ma = r.required<double>("idd2n_ma", "precharge standby current", kNonNegative);
  rail.idd3n_ma = r.required<double>("idd3n_ma", "active standby current", kNonNegative);
  rail.idd4r_ma = r.required<double>("idd4r_ma", "burst read current", kNonNegative);
  rail.idd4w_ma = r.required<double>("idd4w_ma", "burst write current", kNonNegative);
  rail.idd5ab_ma =
      r.required<double>("idd5ab_ma", "all-bank refresh current (REF every tRFCab)", kNonNegative);
  if (r.has("idd5pb_ma"))
    rail.idd5pb_ma =
        r.required<double>("idd5pb_ma", "per-bank refresh current (REFpb every tRFCpb)", kNonNegative);
  rail.io = r.optional<bool>("io", false, "the rail feeds the data I/O (VDDQ)");
  return rail;
}

CurrentRatios read_current_ratios(Params& e) {
  Params r = e.required_child("typical_over_maximum", "typical current over maximum current, per IDD kind");
  CurrentRatios c;
  c.idd0 = r.required<double>("idd0", "IDD0", kRatio);
  c.idd2n = r.required<double>("idd2n", "IDD2N", kRatio);
  c.idd3n = r.required<double>("idd3n", "IDD3N", kRatio);
  c.idd4r = r.required<double>("idd4r", "IDD4R", kRatio);
  c.idd4w = r.required<double>("idd4w", "IDD4W", kRatio);
  c.idd5 = r.required<double>("idd5", "IDD5AB and IDD5PB", kRatio);
  return c;
}

// Each derived operation energy must be physical: the datasheet currents have to rise above standby.
void check_physical(const OpEnergy& e, bool has_pb, Params& first_rail) {
  auto check = [&](double v, const std::string& key, const std::string& what) {
    if (v < 0)
      first_rail.fail(key, cat(what, " comes out negative (", v, " pJ summed over rails): ", key,
                               " must exceed the standby currents it is measured against"));
  };
  check(e.act_pre_pj, "idd0_ma", "ACT+PRE energy IDD0*tRC - IDD3N*tRAS - IDD2N*(tRC-tRAS)");
  check(e.read_array_pj_per_bit, "idd4r_ma", "array read energy (IDD4R - IDD3N)*tBurst on the core rails");
  check(e.io_read_pj_per_bit, "idd4r_ma", "I/O read energy (IDD4R - IDD3N)*tBurst on the io rails");
  check(e.write_array_pj_per_bit, "idd4w_ma", "array write energy (IDD4W - IDD3N)*tBurst on the core rails");
  check(e.io_write_pj_per_bit, "idd4w_ma", "I/O write energy (IDD4W - IDD3N)*tBurst on the io rails");
  check(e.refresh_ab_pj, "idd5ab_ma", "refresh energy (IDD5AB - IDD3N)*tRFCab");
  if (has_pb) check(e.refresh_pb_pj, "idd5pb_ma", "per-bank refresh energy (IDD5PB - IDD3N)*tRFCpb");
}

void read_idd(Params& e, const Organisation& o, const Timing& t, Energy* en) {
  en->model = Energy::Model::idd;
  en->given = read_given(e, "currents", "what the rails' currents are");
  en->devices_per_rank = e.required<int>(
      "devices_per_rank", "DRAM devices in lockstep forming the channel's data bus", Bound::range(1, 64));
  en->measured_at_mtps =
      e.optional<double>("measured_at_mtps", t.data_rate_mtps,
                         "data rate the IDD4R/IDD4W currents were measured at", Bound::positive());
  en->idd4_rate_exponent = e.optional<double>(
      "idd4_rate_exponent", 0.0,
      "IDD4R/W above IDD3N scale with (rate / measured rate)^k: 0 holds the current (DRAMPower), 1 keeps "
      "the energy per bit",
      Bound::range(0, 1));
  en->current_ratios = read_current_ratios(e);
  Params rails = e.required_child("rails", "supply rails by name, each with its voltage and IDD currents");
  const auto names = rails.keys();
  if (names.empty()) e.fail("rails", "at least one supply rail is needed");
  std::vector<Params> rail_params;
  int with_pb = 0;
  bool any_io = false;
  for (const auto& name : names) {
    rail_params.push_back(rails.required_child(name, "one supply rail"));
    en->rails.push_back(read_rail(rail_params.back(), name));
    with_pb += rail_params.back().has("idd5pb_ma") ? 1 : 0;
    any_io = any_io || en->rails.back().io;
  }
  if (with_pb > 0 && with_pb < int(names.size()))
    for (auto& r : rail_params)
      if (!r.has("idd5pb_ma"))
        r.fail("idd5pb_ma",
               "per-bank refresh current given on some rails only: give it on every rail or none");
  en->has_pb_currents = with_pb > 0;
  read_link(e, &en->link);
  if (any_io && en->link.given)
    e.fail("interface", "I/O energy given twice: by a rail with io: true and by the interface parameters");
  const bool to_max = en->given == EnergyBound::typical;
  for (EnergyBound b : {EnergyBound::typical, EnergyBound::maximum}) {
    const auto currents = b == en->given ? en->rails : scale_currents(en->rails, en->current_ratios, to_max);
    OpEnergy& op = en->at(b);
    op = idd_energy(currents, o, t, en->devices_per_rank, en->measured_at_mtps, en->idd4_rate_exponent,
                    en->has_pb_currents);
    check_physical(op, en->has_pb_currents, rail_params.front());
    if (en->link.given) op.io_read_pj_per_bit = op.io_write_pj_per_bit = link_pj_per_bit(en->link, t, b);
  }
}

}  // namespace

void read_energy(Params& e, const Organisation& o, const Timing& t, Energy* en) {
  const std::string model =
      e.choice("model", {"per_operation", "idd"}, std::nullopt,
               "per_operation: cited per-operation energies; idd: datasheet IDD currents");
  if (model == "per_operation")
    read_per_operation(e, o, t, en);
  else
    read_idd(e, o, t, en);
}

}  // namespace llmx::dram
