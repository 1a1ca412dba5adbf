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

EnergyBound read_given(Params& e, const std::string& key) {
  return e.get<std::string>(key) == "typical" ? EnergyBound::typical : EnergyBound::maximum;
}

void read_link(Params& e, LinkInterface* l) {
  if (!e.has("interface")) return;
  Params p = e.child("interface");
  l->given = true;
  const std::string term = p.get<std::string>("termination");
  l->termination = term == "vssq"   ? LinkInterface::Termination::vssq
                   : term == "vddq" ? LinkInterface::Termination::vddq
                                    : LinkInterface::Termination::none;
  const std::string sig = p.get<std::string>("signalling");
  l->signalling = sig == "pam4"   ? LinkInterface::Signalling::pam4
                  : sig == "pam3" ? LinkInterface::Signalling::pam3
                                  : LinkInterface::Signalling::nrz;
  const int m = signal_levels(l->signalling);
  const double uniform_rise = (m + 1.0) / (6.0 * m);  // mean rise per symbol of uniformly random levels
  l->vddq_v = p.get<double>("vddq_v");
  l->r_on_ohm = p.get<double>("r_on_ohm");
  l->r_tt_ohm = l->termination == LinkInterface::Termination::none ? 0.0 : p.get<double>("r_tt_ohm");
  l->c_line_pf = p.get<double>("c_line_pf");
  l->strobe_lines_per_byte = p.get<double>("strobe_lines_per_byte");
  l->toggle_rate = p.get<double>("toggle_rate", uniform_rise);
  l->ones_rate = p.get<double>("ones_rate");
  l->resistance_tolerance = p.get<double>("resistance_tolerance");
}

void read_per_operation(Params& e, const Organisation& o, const Timing& t, Energy* en) {
  en->model = Energy::Model::per_operation;
  en->given = read_given(e, "figures");
  OpEnergy g;
  g.act_pre_pj = e.get<double>("act_pre_pj");
  g.read_array_pj_per_bit = e.get<double>("read_array_pj_per_bit");
  g.write_array_pj_per_bit = e.get<double>("write_array_pj_per_bit");
  read_link(e, &en->link);
  if (en->link.given) {
    for (const char* key : {"io_read_pj_per_bit", "io_write_pj_per_bit"})
      if (e.has(key)) e.fail(key, "I/O energy given twice: by this figure and by the interface parameters");
  } else {
    g.io_read_pj_per_bit = e.get<double>("io_read_pj_per_bit");
    g.io_write_pj_per_bit = e.get<double>("io_write_pj_per_bit");
  }
  g.refresh_ab_pj = e.get<double>("refresh_ab_pj");
  g.refresh_pb_pj = e.get<double>("refresh_pb_pj", g.refresh_ab_pj / o.banks_per_pc());
  g.background_active_mw = e.get<double>("background_mw");
  g.background_idle_mw = e.get<double>("background_idle_mw", g.background_active_mw);
  Params r = e.child("typical_over_maximum");
  KindRatios& k = en->kind_ratios;
  k.act_pre = r.get<double>("act_pre");
  k.read_array = r.get<double>("read_array");
  k.write_array = r.get<double>("write_array");
  k.io = r.get<double>("io");
  k.refresh = r.get<double>("refresh");
  k.background = r.get<double>("background");
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
  rail.voltage_v = r.get<double>("voltage_v");
  rail.measured_at_v = r.get<double>("measured_at_v", rail.voltage_v);
  rail.idd0_ma = r.get<double>("idd0_ma");
  rail.idd2n_ma = r.get<double>("idd2n_ma");
  rail.idd3n_ma = r.get<double>("idd3n_ma");
  rail.idd4r_ma = r.get<double>("idd4r_ma");
  rail.idd4w_ma = r.get<double>("idd4w_ma");
  rail.idd5ab_ma = r.get<double>("idd5ab_ma");
  if (r.has("idd5pb_ma")) rail.idd5pb_ma = r.get<double>("idd5pb_ma", 0.0);
  rail.io = r.get<bool>("io");
  return rail;
}

CurrentRatios read_current_ratios(Params& e) {
  Params r = e.child("typical_over_maximum");
  CurrentRatios c;
  c.idd0 = r.get<double>("idd0");
  c.idd2n = r.get<double>("idd2n");
  c.idd3n = r.get<double>("idd3n");
  c.idd4r = r.get<double>("idd4r");
  c.idd4w = r.get<double>("idd4w");
  c.idd5 = r.get<double>("idd5");
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
  en->given = read_given(e, "currents");
  en->devices_per_rank = e.get<int>("devices_per_rank");
  en->measured_at_mtps = e.get<double>("measured_at_mtps", t.data_rate_mtps);
  en->idd4_rate_exponent = e.get<double>("idd4_rate_exponent");
  en->current_ratios = read_current_ratios(e);
  Params rails = e.child("rails");
  const auto names = rails.keys();
  if (names.empty()) e.fail("rails", "at least one supply rail is needed");
  std::vector<Params> rail_params;
  int with_pb = 0;
  bool any_io = false;
  for (const auto& name : names) {
    rail_params.push_back(rails.child(name));
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
  const std::string model = e.get<std::string>("model");
  if (model == "per_operation")
    read_per_operation(e, o, t, en);
  else
    read_idd(e, o, t, en);
}

}  // namespace llmx::dram
